package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** V1 cases this host cannot show for real, on a directory tree shaped like v1 cgroupfs. */
class V1FakeTreeTest {
  @Test
  void noBlkioWeightFileIsAClearErrorBeforeAnyWrite(@TempDir Path root) throws Exception {
    Path cpu = Files.createDirectory(root.resolve("cpu"));
    Path blkio = Files.createDirectory(root.resolve("blkio"));
    CgroupLayout layout = new CgroupLayout(CgroupLayout.Mode.V1, Map.of("cpu", cpu, "blkio", blkio), null, Map.of());
    V1Manager manager = new V1Manager(layout, MachineCgroup.of("/machine", 7, "db"), HostTopology.of("0-1", "0"));
    manager.create();
    Path leaf = cpu.resolve("machine/lxc-7-db.libvirt-lxc");
    Files.writeString(leaf.resolve("cpu.shares"), "1024");   // the kernel's default; no blkio.*weight file at all

    CgroupException e = assertThrows(CgroupException.class,
        () -> manager.apply(CgroupResources.NONE.withCpu(300L, null, null).withBlkio(500, null)));

    assertEquals(CgroupException.Code.UNSUPPORTED, e.code());
    assertTrue(e.getMessage().contains("<blkiotune> weight"), e.getMessage());
    assertEquals("1024", Files.readString(leaf.resolve("cpu.shares")), "nothing written before the error");
  }
}
