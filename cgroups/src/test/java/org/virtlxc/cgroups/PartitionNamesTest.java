package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** libvirt's partition directory names (vircgroup.c virCgroupSetPartitionSuffix / virCgroupPartitionEscape). */
class PartitionNamesTest {
  /** /proc/cgroups as the kernel writes it: columns separated by tabs. */
  static final String PROC_CGROUPS_TABS = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
      + "cpuset\t3\t3\t1\ncpu\t1\t3\t1\nmemory\t4\t35\t1\n";
  /** The space-separated shape libvirt's parser was written for (its comment's example). */
  static final String PROC_CGROUPS_SPACES = "#subsys_name hierarchy num_cgroups enabled\n"
      + "cpuset  2 4  1\ncpu     3 48 1\nmemory  4 4  1\n";

  @Test
  void suffixExceptForTheThreeTopLevelDirectories() {
    List<String> none = List.of();
    assertEquals(List.of("machine"), PartitionNames.directories("/machine", none));
    assertEquals(List.of("system"), PartitionNames.directories("/system", none));
    assertEquals(List.of("user"), PartitionNames.directories("/user", none));
    assertEquals(List.of("machine", "tenant.partition"), PartitionNames.directories("/machine/tenant", none));
    assertEquals(List.of("vlxct-cgfail.partition"), PartitionNames.directories("/vlxct-cgfail", none));
    assertEquals(List.of("a.partition", "machine.partition"), PartitionNames.directories("/a/machine", none),
        "only a top-level machine is left alone");
    assertEquals(List.of("web.slice"), PartitionNames.directories("/web.slice", none), "a dot means: suffixed already");
    assertEquals(List.of(), PartitionNames.directories("/", none));
    assertEquals(List.of("a.partition"), PartitionNames.directories("/a/", none));
  }

  @Test
  void escapesWhatLibvirtEscapes() {
    List<String> none = List.of();
    assertEquals(List.of("_cgroup.x"), PartitionNames.directories("/cgroup.x", none));
    assertEquals(List.of("__a.partition"), PartitionNames.directories("/_a", none));
    assertEquals(List.of("_.hidden"), PartitionNames.directories("/.hidden", none));
    assertEquals(List.of("a.partition", "_.."), PartitionNames.directories("/a/..", none), "'..' is made harmless");
    assertEquals("lxc-1-x.libvirt-lxc", PartitionNames.escape("lxc-1-x.libvirt-lxc", none));
  }

  @Test
  void controllerPrefixesOnlyMatchWhenProcCgroupsHasSpaces() {
    List<String> tabs = PartitionNames.libvirtControllerNames(PROC_CGROUPS_TABS);
    assertEquals(List.of("cpu.x"), PartitionNames.directories("/cpu.x", tabs),
        "with the kernel's tabs libvirt's first-space cut finds no controller name");
    List<String> spaces = PartitionNames.libvirtControllerNames(PROC_CGROUPS_SPACES);
    assertEquals(List.of("cpuset", "cpu", "memory"), spaces);
    assertEquals(List.of("_cpu.x", "_memory.y", "cpux.partition"), PartitionNames.directories("/cpu.x/memory.y/cpux",
        spaces));
    assertEquals(List.of("_cpu.partition"), PartitionNames.directories("/cpu", spaces),
        "the suffix comes first, so a bare controller name is escaped too");
  }

  @Test
  void thisHostsProcCgroupsUsesTabs() throws Exception {
    TestHost.require(Files.exists(Path.of("/proc/cgroups")), "/proc/cgroups");
    String text = Files.readString(Path.of("/proc/cgroups"));
    assertEquals(List.of("cpu.x"), PartitionNames.directories("/cpu.x", PartitionNames.libvirtControllerNames(text)),
        text);
  }
}
