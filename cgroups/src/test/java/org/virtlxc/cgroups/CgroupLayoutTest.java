package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupLayoutTest {
  /** This machine's mountinfo (Debian 12 VM, kernel 6.18): v1 controllers plus a controller-less cgroup2. */
  static final String HYBRID = """
      23 1 0:22 / / rw,relatime - ext4 /dev/vda1 rw
      31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
      32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
      33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
      34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
      35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
      36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
      37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
      38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
      39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
      40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
      41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
      """;
  static final String HYBRID_CGROUP = "9:name=systemd:/\n4:memory:/process_api/665af979\n1:cpu:/\n0::/\n";

  /** systemd-era pure v1 with co-mounted controllers and an odd mount point. */
  static final String V1 = """
      25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
      26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
      29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
      30 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
      31 25 0:28 / /srv/my\\040cgroups/freezer rw,relatime shared:15 - cgroup cgroup rw,freezer
      99 25 0:28 /lxc/ct1 /var/lib/ct1/freezer rw,relatime - cgroup cgroup rw,freezer
      """;

  static final String V2 = """
      30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
      """;

  @Test
  void hybridAsOnThisMachine() throws CgroupException {
    CgroupLayout l = CgroupLayout.parse(HYBRID, HYBRID_CGROUP);
    assertEquals(CgroupLayout.Mode.HYBRID, l.mode());
    assertEquals(Path.of("/sys/fs/cgroup/unified"), l.v2Mount());
    assertEquals(Path.of("/sys/fs/cgroup/cpuacct"), l.v1Mount("cpuacct"));
    assertEquals(Path.of("/sys/fs/cgroup/systemd"), l.v1Mount("name=systemd"));
    assertEquals(9, l.v1Hierarchies().size());
    assertEquals("/process_api/665af979", l.placement().get("memory"));
    assertEquals("/", l.placement().get(""));
  }

  @Test
  void pureV1WithCoMountedAndEscapedMounts() throws CgroupException {
    CgroupLayout l = CgroupLayout.parse(V1, "");
    assertEquals(CgroupLayout.Mode.V1, l.mode());
    assertNull(l.v2Mount());
    assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), l.v1Mount("cpu"));
    assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), l.v1Mount("cpuacct"));
    assertEquals(Path.of("/srv/my cgroups/freezer"), l.v1Mount("freezer"));   // the bind of a sub-cgroup is ignored
    assertNull(l.v1Mount("xattr"));
    assertEquals(List.of(Path.of("/sys/fs/cgroup/systemd"), Path.of("/sys/fs/cgroup/cpu,cpuacct"),
        Path.of("/sys/fs/cgroup/memory"), Path.of("/srv/my cgroups/freezer")), l.v1Hierarchies());
  }

  @Test
  void pureV2() throws CgroupException {
    CgroupLayout l = CgroupLayout.parse(V2, "0::/user.slice\n");
    assertEquals(CgroupLayout.Mode.V2, l.mode());
    assertEquals(Path.of("/sys/fs/cgroup"), l.v2Mount());
    assertEquals(List.of(), l.v1Hierarchies());
  }

  @Test
  void onlyNamedV1PlusCgroup2IsV2() throws CgroupException {
    String text = V2 + "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n";
    assertEquals(CgroupLayout.Mode.V2, CgroupLayout.parse(text, "").mode());
  }

  @Test
  void noCgroupMountsIsAnError() {
    CgroupException e = assertThrows(CgroupException.class,
        () -> CgroupLayout.parse("23 1 0:22 / / rw - ext4 /dev/vda1 rw\n", ""));
    assertEquals("unable to detect cgroup layout: no cgroup or cgroup2 mount in mountinfo", e.getMessage());
  }

  @Test
  void detectsThisHost() throws CgroupException {
    CgroupLayout l = CgroupLayout.detect();
    assertEquals(l.mode() == CgroupLayout.Mode.V2, l.v1Hierarchies().isEmpty());
  }

  @Test
  void machineNamesFollowLibvirt() {
    assertEquals("lxc-42-web", MachineCgroup.machineName(42, "web"));
    assertEquals("lxc-42-my.test-box", MachineCgroup.machineName(42, "--my..test_-box--"));
    assertEquals("lxc-7-a.b", MachineCgroup.machineName(7, "a_.-b"));
    String longName = MachineCgroup.machineName(1234, "x".repeat(100));
    assertEquals(64, longName.length());
    MachineCgroup m = MachineCgroup.of(null, 42, "web");
    assertEquals("/machine/lxc-42-web.libvirt-lxc", m.path());
    assertEquals("/lxc-42-web.libvirt-lxc", MachineCgroup.of("/", 42, "web").path());
    assertEquals(List.of("a.partition", "b.partition"), MachineCgroup.of("/a/b", 1, "x").partitionComponents());
    assertEquals("/machine/tenant.partition/lxc-1-x.libvirt-lxc", MachineCgroup.of("/machine/tenant", 1, "x").path());
    assertThrows(IllegalArgumentException.class, () -> MachineCgroup.of("machine", 1, "x"));
    assertThrows(IllegalArgumentException.class, () -> MachineCgroup.of("/a//b", 1, "x"));
    assertThrows(IllegalArgumentException.class, () -> MachineCgroup.of("/process_api", 1, "x"));
  }
}
