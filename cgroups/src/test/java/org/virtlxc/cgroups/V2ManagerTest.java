package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** V2 against a directory tree shaped like cgroupfs (this host has no v2 controllers): exact files and values. */
class V2ManagerTest {
  @TempDir
  Path root;
  V2Manager manager;
  Path leaf;
  final MachineCgroup cg = MachineCgroup.of("/machine", 42, "web");

  @BeforeEach
  void tree() throws Exception {
    write(root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc");
    write(root, "cgroup.subtree_control", "");
    Path machine = Files.createDirectory(root.resolve("machine"));   // the partition exists, as on a libvirt host
    write(machine, "cgroup.controllers", "cpuset cpu io memory pids");
    write(machine, "cgroup.subtree_control", "memory");
    manager = new V2Manager(root, cg, HostTopology.of("0-3", "0"));
    manager.create();
    leaf = root.resolve("machine/lxc-42-web.libvirt-lxc");
    kernelDefaults(leaf);
  }

  /** What the kernel puts in a new cgroup with these controllers enabled. */
  static void kernelDefaults(Path d) throws IOException {
    write(d, "cgroup.procs", "");
    write(d, "cgroup.freeze", "0");
    write(d, "cgroup.events", "populated 0\nfrozen 0\n");
    write(d, "memory.max", "max");
    write(d, "memory.high", "max");
    write(d, "memory.low", "0");
    write(d, "memory.swap.max", "max");
    write(d, "memory.current", "1234567");
    write(d, "cpu.weight", "100");
    write(d, "cpu.max", "max 100000");
    write(d, "cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
    write(d, "cpuset.cpus", "");
    write(d, "cpuset.mems", "");
    write(d, "io.weight", "default 100");
    write(d, "io.max", "");
    write(d, "io.stat", "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
        + "7:0 rbytes=100 wbytes=0 rios=3 wios=0 dbytes=0 dios=0\n");
  }

  static void write(Path dir, String file, String value) throws IOException {
    Files.writeString(dir.resolve(file), value);
  }

  String read(String file) throws IOException {
    return Files.readString(leaf.resolve(file));
  }

  @Test
  void createEnablesControllersInEachAncestor() throws IOException {
    assertTrue(Files.isDirectory(leaf));
    assertEquals("+cpuset +cpu +io +memory +pids", Files.readString(root.resolve("cgroup.subtree_control")));
    assertEquals("+cpuset +cpu +io +pids", Files.readString(root.resolve("machine/cgroup.subtree_control")));
    assertEquals(List.of(leaf), manager.paths());
  }

  @Test
  void applyWritesV2Files() throws Exception {
    DeviceNumber vda = new DeviceNumber(true, 254, 0);
    manager.apply(new CgroupResources(256L << 20, 128L << 20, 1L << 30, 64L << 20, 2048L, 50000L, 25000L, "0-1",
        "0", 300, List.of(new BlkioDeviceLimit("/dev/vda", vda, 700, 1048576L, null, null, 200L)), null));
    assertEquals("268435456", read("memory.max"));
    assertEquals("134217728", read("memory.high"));
    assertEquals("67108864", read("memory.low"));
    assertEquals(Long.toString((1L << 30) - (256L << 20)), read("memory.swap.max"));
    assertEquals("2048", read("cpu.weight"));
    assertEquals("25000 50000", read("cpu.max"));
    assertEquals("0-1", read("cpuset.cpus"));
    assertEquals("0", read("cpuset.mems"));
    assertEquals("254:0 700", read("io.weight"));   // the last write; the default weight was written before it
    assertEquals("254:0 rbps=1048576 wiops=200", read("io.max"));
    manager.addProcess(4711);
    assertEquals("4711", read("cgroup.procs"));
  }

  @Test
  void partialCpuMaxKeepsTheOtherHalfAndQuotaMinusOneIsMax() throws Exception {
    manager.apply(CgroupResources.NONE.withCpu(null, null, 30000L));
    assertEquals("30000 100000", read("cpu.max"));
    manager.apply(CgroupResources.NONE.withCpu(null, 20000L, -1L));
    assertEquals("max 20000", read("cpu.max"));
    manager.apply(CgroupResources.NONE.withBlkio(300, null));
    assertEquals("default 300", read("io.weight"));
  }

  @Test
  void readBackAndStats() throws Exception {
    manager.apply(new CgroupResources(256L << 20, null, 512L << 20, null, 500L, null, 40000L, "1", null, null,
        null, null));
    CgroupResources r = manager.readBack();
    assertEquals(256L << 20, r.memoryLimit());
    assertEquals(512L << 20, r.memorySwapLimit());
    assertEquals(Long.MAX_VALUE, r.memorySoftLimit());
    assertEquals(500L, r.cpuShares());
    assertEquals(40000L, r.cpuQuota());
    assertEquals(100000L, r.cpuPeriod());
    assertEquals("1", r.cpusetCpus());
    assertEquals(100, r.blkioWeight());
    assertEquals(List.of(), r.blkioDevices());
    assertEquals(0L, r.memoryMinGuarantee());

    write(leaf, "memory.low", "67108864");           // what the kernel shows after per-device and low writes
    write(leaf, "io.weight", "default 100\n254:0 700\n");
    write(leaf, "io.max", "254:0 rbps=1048576 wbps=max riops=max wiops=200\n7:3 rbps=max wbps=4096 riops=max "
        + "wiops=max\n");
    r = manager.readBack();
    assertEquals(64L << 20, r.memoryMinGuarantee(), "<memtune><min_guarantee> is memory.low");
    assertEquals(List.of(new BlkioDeviceLimit(null, new DeviceNumber(true, 254, 0), 700, 1048576L, 0L, 0L, 200L),
        new BlkioDeviceLimit(null, new DeviceNumber(true, 7, 3), null, 0L, 4096L, 0L, 0L)), r.blkioDevices(),
        "io.max's max reads as 0, libvirt's no limit");
    assertEquals(new CgroupStats(1234567, 2_500_000, 4196, 8192, 4, 2), manager.stats());
  }

  @Test
  void deviceRulesOnPureV2FailBeforeAnyWrite() throws Exception {
    CgroupException e = assertThrows(CgroupException.class, () -> manager.apply(
        CgroupResources.NONE.withMemory(64L << 20, null, null, null).withDevices(DeviceRule.CONTAINER_DEFAULTS)));
    assertEquals(CgroupException.Code.UNSUPPORTED, e.code());
    assertTrue(e.getMessage().endsWith("device access rules on a pure cgroup v2 host need an eBPF device program, "
        + "not supported yet"), e.getMessage());
    assertEquals("max", read("memory.max"));
  }

  @Test
  void invalidValuesFailBeforeAnyWrite() throws Exception {
    assertThrows(CgroupException.class, () -> manager.apply(
        CgroupResources.NONE.withMemory(64L << 20, null, null, null).withCpuset("7", null)));
    assertEquals("max", read("memory.max"));
  }

  @Test
  void freezeWaitsForTheKernelToReportFrozen() throws Exception {
    Thread kernel = new Thread(() -> {
      try {
        while (!Files.readString(leaf.resolve("cgroup.freeze")).equals("1")) {
          Thread.sleep(5);
        }
        Thread.sleep(100);
        write(leaf, "cgroup.events", "populated 1\nfrozen 1\n");
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    kernel.start();
    manager.freeze(Duration.ofSeconds(5));
    kernel.join();
    assertTrue(manager.isFrozen());
    write(leaf, "cgroup.events", "populated 1\nfrozen 0\n");
    manager.thaw(Duration.ofSeconds(1));
    assertEquals("0", read("cgroup.freeze"));
  }

  @Test
  void freezeTimeoutThawsAgain() throws Exception {
    CgroupException e = assertThrows(CgroupException.class, () -> manager.freeze(Duration.ofMillis(200)));
    assertEquals(CgroupException.Code.TIMEOUT, e.code());
    assertTrue(e.getMessage().contains("thawed it again"), e.getMessage());
    assertEquals("0", read("cgroup.freeze"));
  }

  @Test
  void destroyRemovesOnlyTheDomainAndLeavesThePreexistingPartition() throws Exception {
    Path sibling = Files.createDirectory(root.resolve("machine/other.libvirt-lxc"));
    emptyLikeKernel(leaf);
    manager.destroy();
    assertFalse(Files.exists(leaf));
    assertTrue(Files.isDirectory(sibling));
    assertTrue(Files.isDirectory(root.resolve("machine")));
  }

  @Test
  void failedCreateRemovesPartitionLevelsItCreated() throws Exception {
    V2Manager m = new V2Manager(root, MachineCgroup.of("/machine/tenant", 1, "x"), HostTopology.of("0", "0"));
    Path tenant = root.resolve("machine/tenant.partition");   // new: a fake tree has no cgroup.controllers in it
    CgroupException e = assertThrows(CgroupException.class, m::create);   // a real kernel would offer the files
    assertTrue(e.getMessage().startsWith("unable to read " + tenant.resolve("cgroup.controllers")), e.getMessage());
    assertFalse(Files.exists(tenant), "a failed create removes what it made");
  }

  static void emptyLikeKernel(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        if (Files.isRegularFile(p)) {
          Files.delete(p);
        }
      }
    }
  }
}
