package org.virtlxc.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.virtlxc.cgroups.CgroupLayout;

class PausedStartTest {
  @Test
  void onlyAManagedSaveTakenPausedAndStartedPlainlyIsPausedByTheController() {
    assertTrue(PausedStart.wanted("paused", false));
    assertFalse(PausedStart.wanted("paused", true), "virt-lxc start/restore --paused pause it themselves");
    assertFalse(PausedStart.wanted("running", false));
  }

  @Test
  void theShellLeavesForTheFreezerCgroupTheControllerCameFrom() {
    CgroupLayout hybrid = new CgroupLayout(CgroupLayout.Mode.HYBRID,
        Map.of("freezer", Path.of("/sys/fs/cgroup/freezer"), "memory", Path.of("/sys/fs/cgroup/memory")),
        Path.of("/sys/fs/cgroup/unified"), Map.of("freezer", "/libvirtd", "memory", "/", "", "/"));
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/freezer/libvirtd/cgroup.procs")),
        PausedStart.outsideFreezer(hybrid));

    CgroupLayout v2 = new CgroupLayout(CgroupLayout.Mode.V2, Map.of(), Path.of("/sys/fs/cgroup"),
        Map.of("", "/system.slice/libvirtd.service"));
    assertEquals(Optional.of(Path.of("/sys/fs/cgroup/system.slice/libvirtd.service/cgroup.procs")),
        PausedStart.outsideFreezer(v2));

    CgroupLayout none = new CgroupLayout(CgroupLayout.Mode.V1, Map.of("memory", Path.of("/sys/fs/cgroup/memory")),
        null, Map.of("memory", "/"));
    assertEquals(Optional.empty(), PausedStart.outsideFreezer(none));
  }
}
