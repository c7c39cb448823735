package org.virtlxc.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.cgroups.MachineCgroup;

/** LeftoverCgroups on a cgroupfs-like tree in a temporary directory (two hierarchies). */
class LeftoverCgroupsTest {
  @TempDir Path tmp;

  @Test
  void removesOnlyDeadEmptyDirectoriesOfTheSameDomain() throws Exception {
    Path cpu = tmp.resolve("cpu");
    Path memory = tmp.resolve("memory");
    MachineCgroup own = MachineCgroup.of("/machine", 500, "vlxct-web.1");
    for (Path root : List.of(cpu, memory)) {
      Files.createDirectories(root.resolve("machine").resolve(own.dirName()));
      Files.createDirectories(root.resolve("machine/lxc-100-vlxct-web.1.libvirt-lxc"));      // dead, empty: removed
      Files.createDirectories(root.resolve("machine/lxc-200-vlxct-web.1.libvirt-lxc"));      // controller alive
      Files.createDirectories(root.resolve("machine/lxc-300-vlxct-web.1.libvirt-lxc"));      // dead, still has tasks
      Files.writeString(root.resolve("machine/lxc-300-vlxct-web.1.libvirt-lxc/cgroup.procs"), "301\n");
      Files.createDirectories(root.resolve("machine/lxc-400-vlxct-web.10.libvirt-lxc"));     // another domain
      Files.createDirectories(root.resolve("machine/lxc-600-other.libvirt-lxc"));            // another domain
      Files.createDirectories(root.resolve("lxc-700-vlxct-web.1.libvirt-lxc"));              // other partition
    }
    Set<Long> alive = Set.of(200L, 500L);

    List<Path> removed = LeftoverCgroups.remove(List.of(cpu, memory, tmp.resolve("absent")), own, "vlxct-web.1",
        alive::contains);

    assertEquals(List.of(cpu.resolve("machine/lxc-100-vlxct-web.1.libvirt-lxc"),
        memory.resolve("machine/lxc-100-vlxct-web.1.libvirt-lxc")), removed);
    for (Path root : List.of(cpu, memory)) {
      for (String kept : List.of(own.dirName(), "lxc-200-vlxct-web.1.libvirt-lxc", "lxc-300-vlxct-web.1.libvirt-lxc",
          "lxc-400-vlxct-web.10.libvirt-lxc", "lxc-600-other.libvirt-lxc")) {
        assertTrue(Files.isDirectory(root.resolve("machine").resolve(kept)), kept + " kept");
      }
      assertTrue(Files.isDirectory(root.resolve("lxc-700-vlxct-web.1.libvirt-lxc")));
    }
  }

  @Test
  void thisProcessRunsAndAnUnusedPidDoesNot() {
    assertTrue(LeftoverCgroups.running(ProcessHandle.current().pid()));
    assertFalse(LeftoverCgroups.running(Long.MAX_VALUE));
  }
}
