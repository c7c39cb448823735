package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real cgroups on this v1/hybrid host, under a throw-away partition /vlxct-test-RANDOM
 * (directory vlxct-test-RANDOM.partition). Needs root. */
class V1RealCgroupTest {
  @TempDir
  Path tmp;
  CgroupLayout layout;
  String partition;
  CgroupManager manager;
  final List<Process> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    layout = CgroupLayout.detect();
    TestHost.require(layout.mode() != CgroupLayout.Mode.V2, "a v1 or hybrid cgroup host");
    TestHost.require("root".equals(System.getProperty("user.name")), "root");
    partition = "/vlxct-test-" + UUID.randomUUID().toString().substring(0, 8);
    manager = CgroupManagers.create(layout, MachineCgroup.of(partition, ProcessHandle.current().pid(), "t1"));
    manager.create();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : started) {   // only processes this test started, by their handle
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
    if (manager != null) {
      try {
        manager.thaw(Duration.ofSeconds(2));
      } finally {
        manager.destroy();
      }
      for (Path h : layout.v1Hierarchies()) {
        assertFalse(Files.exists(h.resolve(partition.substring(1) + ".partition")), "left behind in " + h);
      }
      if (layout.v2Mount() != null) {
        assertFalse(Files.exists(layout.v2Mount().resolve(partition.substring(1) + ".partition")));
      }
    }
  }

  Path dir(String controller) {
    return layout.v1Mount(controller).resolve(manager.cgroup().path().substring(1));
  }

  String read(String controller, String file) throws IOException {
    return Files.readString(dir(controller).resolve(file)).trim();
  }

  Process start(String script) throws IOException {
    Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
    started.add(p);
    return p;
  }

  @Test
  void createsTheDomainInEveryHierarchyIncludingUnified() throws IOException {
    for (Path p : manager.paths()) {
      assertTrue(Files.isDirectory(p), p.toString());
    }
    assertEquals(layout.v1Hierarchies().size() + (layout.v2Mount() == null ? 0 : 1), manager.paths().size());
    assertEquals(Files.readString(layout.v1Mount("cpuset").resolve("cpuset.cpus")).trim(),
        read("cpuset", "cpuset.cpus"), "cpuset copied from the parent");
  }

  @Test
  void appliesAndReadsBackEveryLimit() throws Exception {
    String cpus = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
    TestHost.require(Files.exists(Path.of("/dev/vda")), "the VM's disk /dev/vda");
    TestHost.require(bfqWeight(), "a blkio weight file (cfq or bfq scheduler)");
    DeviceNumber vda = DeviceNumber.of(Path.of("/dev/vda"));
    List<BlkioDeviceLimit> throttles =
        List.of(new BlkioDeviceLimit("/dev/vda", vda, null, 1048576L, 2097152L, 100L, 200L));
    List<DeviceRule> devices = new ArrayList<>(DeviceRule.CONTAINER_DEFAULTS);
    devices.add(DeviceRule.of(DeviceNumber.of(Path.of("/dev/tty0"))));
    CgroupResources r = new CgroupResources(64L << 20, 32L << 20, 128L << 20, null, 512L, 50000L, 25000L, cpus,
        "0", 500, throttles, devices);
    manager.apply(r);
    assertEquals(Long.toString(64L << 20), read("memory", "memory.limit_in_bytes"));
    assertEquals(Long.toString(32L << 20), read("memory", "memory.soft_limit_in_bytes"));
    assertEquals(Long.toString(128L << 20), read("memory", "memory.memsw.limit_in_bytes"));
    assertEquals("512", read("cpu", "cpu.shares"));
    assertEquals("50000", read("cpu", "cpu.cfs_period_us"));
    assertEquals("25000", read("cpu", "cpu.cfs_quota_us"));
    assertEquals(cpus, read("cpuset", "cpuset.cpus"));
    assertEquals("0", read("cpuset", "cpuset.mems"));
    assertEquals("500", read("blkio", Files.exists(dir("blkio").resolve("blkio.weight")) ? "blkio.weight"
        : "blkio.bfq.weight"));
    assertEquals(vda + " 1048576", read("blkio", "blkio.throttle.read_bps_device"));
    assertEquals(vda + " 2097152", read("blkio", "blkio.throttle.write_bps_device"));
    assertEquals(vda + " 100", read("blkio", "blkio.throttle.read_iops_device"));
    assertEquals(vda + " 200", read("blkio", "blkio.throttle.write_iops_device"));
    assertEquals(devices.stream().map(DeviceRule::toString).sorted().toList(),
        Files.readAllLines(dir("devices").resolve("devices.list")).stream().sorted().toList());
    CgroupResources back = manager.readBack();
    assertEquals(List.of(new BlkioDeviceLimit(null, vda, null, 1048576L, 2097152L, 100L, 200L)), back.blkioDevices(),
        "per-device throttles read back by MAJ:MIN");
    assertEquals(r.withBlkio(r.blkioWeight(), back.blkioDevices()).withDevices(back.devices()), back);
    assertEquals(devices.size(), back.devices().size());
  }

  @Test
  void devicesListHoldsLibvirtsExtraAllowsMergedByTheKernel() throws Exception {
    TestHost.require(Files.exists(Path.of("/dev/loop0")) && Files.exists(Path.of("/dev/loop1")), "/dev/loop0, 1");
    var d = DomainCgroupsTest.domain("""
        <features><capabilities policy='default'><mknod state='on'/></capabilities></features>
        """, """
        <disk type='block' device='disk'><source dev='/dev/loop0'/><target dev='sda'/></disk>
        <disk type='block' device='disk'><source dev='/dev/loop1'/><target dev='sdb'/><readonly/></disk>
        <filesystem type='block'><source dev='/dev/loop1'/><target dir='/mnt'/></filesystem>
        <hostdev mode='capabilities' type='misc'><source><char>/dev/tty0</char></source></hostdev>
        """);
    manager.apply(CgroupResources.NONE.withDevices(DomainCgroups.devices(d)));
    List<String> expected = new ArrayList<>(DeviceRule.CONTAINER_DEFAULTS.stream().map(Object::toString).toList());
    expected.addAll(List.of("b *:* m", "c *:* m", "b 7:0 rwm", "b 7:1 rwm", "c 4:0 rwm"));   // 7:1 rm + rw merged
    List<String> list = Files.readAllLines(dir("devices").resolve("devices.list"));
    assertEquals(expected.stream().sorted().toList(), list.stream().sorted().toList(), String.join("\n", list));
    assertEquals(expected.size(), manager.readBack().devices().size());
  }

  @Test
  void frozenProcessMakesNoProgressAndThawedOneDoes() throws Exception {
    // Progress is the busy loop's CPU time, not a file it writes: file writes can stall on a busy disk.
    // It allocates ~2 MB once inside the cgroup (v1 charges memory at allocation), then spins.
    Process p = start("read go; v=$(head -c 2000000 /dev/zero | tr '\\0' x); while :; do :; done");
    manager.addProcess(p.pid());
    p.getOutputStream().write('\n');
    p.getOutputStream().close();
    assertTrue(read("freezer", "tasks").contains(Long.toString(p.pid())));
    assertTrue(Files.readString(layout.v2Mount() == null ? dir("freezer").resolve("tasks")
        : manager.paths().get(manager.paths().size() - 1).resolve("cgroup.procs")).contains(Long.toString(p.pid())));
    awaitProgress(p);
    manager.freeze(Duration.ofSeconds(5));
    assertTrue(manager.isFrozen());
    long frozenAt = cpuTicks(p);
    Thread.sleep(300);
    assertEquals(frozenAt, cpuTicks(p), "no CPU time while frozen");
    manager.thaw(Duration.ofSeconds(5));
    assertFalse(manager.isFrozen());
    awaitProgress(p);
    CgroupStats s = manager.stats();
    assertTrue(s.cpuTimeNanos() > 0, s.toString());
    assertTrue(s.memoryUsageBytes() > 0, s.toString());
  }

  @Test
  void memoryHogIsOomKilledAtTheHardLimit() throws Exception {
    manager.apply(CgroupResources.NONE.withMemory(32L << 20, null, 32L << 20, null));
    Process p = start("read go; head -c 200M /dev/zero | tail");
    manager.addProcess(p.pid());
    p.getOutputStream().write('\n');
    p.getOutputStream().close();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "hog still running");
    assertEquals(137, p.exitValue(), "killed by SIGKILL");
    assertTrue(read("memory", "memory.oom_control").matches("(?s).*oom_kill [1-9].*"),
        read("memory", "memory.oom_control"));
  }

  private boolean bfqWeight() {
    return Files.exists(dir("blkio").resolve("blkio.bfq.weight"));
  }

  /** Waits up to 10 s for the loop to use CPU; on failure says what the loop and its cgroup looked like. */
  private void awaitProgress(Process loop) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long first = cpuTicks(loop);
    while (System.nanoTime() < deadline) {
      Thread.sleep(20);
      if (cpuTicks(loop) > first) {
        return;
      }
    }
    throw new AssertionError("loop used no CPU: ticks " + cpuTicks(loop) + ", alive " + loop.isAlive()
        + ", freezer.state " + read("freezer", "freezer.state") + ", tasks "
        + read("freezer", "tasks").replace('\n', ' '));
  }

  /** utime + stime of {@code p}, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
  private static long cpuTicks(Process p) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

}
