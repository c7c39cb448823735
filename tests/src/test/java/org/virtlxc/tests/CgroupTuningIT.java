package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Resource tuning of a domain under virt-lxc's controller, through the real libvirtd: what the domain XML asks for is
 * what the machine cgroup's files hold, and what {@code virsh dominfo|memtune|schedinfo|blkiotune|cpu-stats|
 * dommemstat|domblkstat} report; live changes through virsh (libvirtd writes the cgroup files itself) land; a
 * non-default {@code <resource><partition>} is named as libvirt names it. Needs a v1 (or hybrid) cgroup host, as here.
 */
class CgroupTuningIT {
  private static final Path CG = Path.of("/sys/fs/cgroup");
  private ControllerDomain dom;
  private LoopDevice loop;
  private String partitionDir;

  @BeforeEach
  void setUp() throws Exception {
    TestHost.require(Files.isDirectory(CG.resolve("memory")) && Files.isDirectory(CG.resolve("blkio")),
        "v1 memory and blkio hierarchies at /sys/fs/cgroup");
    dom = new ControllerDomain("vlxct-cgfail-tune-");
    loop = LoopDevice.attach(dom.work.resolve("disk.img"), 64L << 20);
    loop.scheduler("bfq");   // a per-device weight needs BFQ (vda uses mq-deadline)
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      dom.close();
    } finally {
      try {
        loop.close();
      } finally {
        removePartitionDirs();
      }
    }
  }

  @Test
  void xmlTuningReachesTheCgroupAndVirshReportsIt() throws Exception {
    String cpu = lastOnlineCpu();
    dom.define(tunedXml(cpu, ""));
    Virsh.run("start", dom.name).ok();
    Path m = machineDir("memory", "/machine");

    Map<String, String> memtune = fields(Virsh.run("memtune", dom.name).ok().out());
    assertEquals("262144", memtune.get("hard_limit"));
    assertEquals(kib(m, "memory.limit_in_bytes"), memtune.get("hard_limit"));
    assertEquals("131072", memtune.get("soft_limit"));
    assertEquals(kib(m, "memory.soft_limit_in_bytes"), memtune.get("soft_limit"));
    // memsw exists (swap accounting is on) although the VM has no swap: the limit binds memory+swap = memory
    assertEquals("393216", memtune.get("swap_hard_limit"));
    assertEquals(kib(m, "memory.memsw.limit_in_bytes"), memtune.get("swap_hard_limit"));

    Path c = machineDir("cpu", "/machine");
    Map<String, String> sched = fields(Virsh.run("schedinfo", dom.name).ok().out());
    assertEquals("512", sched.get("cpu_shares"));
    assertEquals(read(c, "cpu.shares"), sched.get("cpu_shares"));
    assertEquals("50000", sched.get("vcpu_period"));
    assertEquals(read(c, "cpu.cfs_period_us"), sched.get("vcpu_period"));
    assertEquals("25000", sched.get("vcpu_quota"));
    assertEquals(read(c, "cpu.cfs_quota_us"), sched.get("vcpu_quota"));

    Path s = machineDir("cpuset", "/machine");
    assertEquals(cpu, read(s, "cpuset.cpus"));
    assertEquals("0", read(s, "cpuset.mems"));

    Path b = machineDir("blkio", "/machine");
    Map<String, String> blkio = fields(Virsh.run("blkiotune", dom.name).ok().out());
    assertEquals("300", blkio.get("weight"));
    assertEquals(read(b, weightFile(b, "")), blkio.get("weight"));
    assertEquals(loop.path + ",700", blkio.get("device_weight"));
    assertTrue(read(b, weightFile(b, "_device")).lines().anyMatch(l -> l.equals(loop.number + " 700")),
        read(b, weightFile(b, "_device")));
    for (String[] t : new String[][] {{"device_read_bytes_sec", "read_bps", "1048576"},
        {"device_write_bytes_sec", "write_bps", "2097152"}, {"device_read_iops_sec", "read_iops", "100"},
        {"device_write_iops_sec", "write_iops", "200"}}) {
      assertEquals(loop.path + "," + t[2], blkio.get(t[0]));
      assertEquals(loop.number + " " + t[2], read(b, "blkio.throttle." + t[1] + "_device"));
    }

    assertEquals(List.of("c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 10:229 rwm",
        "c 136:* rwm", "c 5:0 rwm", "c 5:2 rwm").stream().sorted().toList(),
        read(machineDir("devices", "/machine"), "devices.list").lines().sorted().toList());

    Map<String, String> info = fields(Virsh.run("dominfo", dom.name).ok().out());
    assertEquals("524288 KiB", info.get("Max memory"));
    assertEquals("1", info.get("CPU(s)"));
    long usedBefore = Long.parseLong(kib(m, "memory.usage_in_bytes"));
    info = fields(Virsh.run("dominfo", dom.name).ok().out());
    long used = Long.parseLong(info.get("Used memory").replace(" KiB", ""));
    long usedAfter = Long.parseLong(kib(m, "memory.usage_in_bytes"));
    assertWithin(used, usedBefore, usedAfter, 1024, "dominfo Used memory vs memory.usage_in_bytes");

    Map<String, String> memstat = pairs(Virsh.run("dommemstat", dom.name).ok().out());
    assertEquals("524288", memstat.get("actual"));
    assertWithin(Long.parseLong(memstat.get("rss")), usedBefore, usedAfter, 1024, "dommemstat rss");

    Path acct = machineDir("cpuacct", "/machine");
    long nsBefore = Long.parseLong(read(acct, "cpuacct.usage"));
    String stats = Virsh.run("cpu-stats", dom.name, "--total").ok().out();
    long nsAfter = Long.parseLong(read(acct, "cpuacct.usage"));
    long cpuNs = Math.round(Double.parseDouble(stats.replaceAll("(?s).*cpu_time\\s+([0-9.]+) seconds.*", "$1")) * 1e9);
    assertWithin(cpuNs, nsBefore, nsAfter, 1, "cpu-stats cpu_time vs cpuacct.usage");

    Map<String, String> blk = pairs(Virsh.run("domblkstat", dom.name).ok().out());
    assertEquals(Long.toString(serviced(b, "blkio.throttle.io_service_bytes", "Read")), blk.get("rd_bytes"));
    assertEquals(Long.toString(serviced(b, "blkio.throttle.io_service_bytes", "Write")), blk.get("wr_bytes"));
    assertEquals(Long.toString(serviced(b, "blkio.throttle.io_serviced", "Read")), blk.get("rd_req"));

    Virsh.Result domstats = Virsh.run("domstats", dom.name);
    assertTrue(domstats.status() != 0 && domstats.err().contains("virDomainListGetStats"),
        "libvirt 9.0's LXC driver has no domstats (if this fails, compare its cpu/balloon/block groups too): "
            + domstats.out() + domstats.err());
  }

  @Test
  void liveChangesThroughVirshLandInTheCgroup() throws Exception {
    dom.define(tunedXml(lastOnlineCpu(), ""));
    Virsh.run("start", dom.name).ok();
    Path m = machineDir("memory", "/machine");
    Path c = machineDir("cpu", "/machine");
    Path b = machineDir("blkio", "/machine");

    Virsh.run("memtune", dom.name, "--hard-limit", "200000", "--soft-limit", "100000", "--swap-hard-limit",
        "300000").ok();
    assertEquals("200000", kib(m, "memory.limit_in_bytes"));
    assertEquals("100000", kib(m, "memory.soft_limit_in_bytes"));
    assertEquals("300000", kib(m, "memory.memsw.limit_in_bytes"));

    Virsh.run("schedinfo", dom.name, "--set", "cpu_shares=700", "vcpu_period=40000", "vcpu_quota=20000").ok();
    assertEquals("700", read(c, "cpu.shares"));
    assertEquals("40000", read(c, "cpu.cfs_period_us"));
    assertEquals("20000", read(c, "cpu.cfs_quota_us"));

    Virsh.run("blkiotune", dom.name, "--weight", "400", "--device-read-bytes-sec", loop.path + ",3000000",
        "--device-write-iops-sec", loop.path + ",50").ok();
    assertEquals("400", read(b, weightFile(b, "")));
    assertEquals(loop.number + " 3000000", read(b, "blkio.throttle.read_bps_device"));
    assertEquals(loop.number + " 50", read(b, "blkio.throttle.write_iops_device"));

    Map<String, String> memtune = fields(Virsh.run("memtune", dom.name).ok().out());
    assertEquals(List.of("200000", "100000", "300000"),
        List.of(memtune.get("hard_limit"), memtune.get("soft_limit"), memtune.get("swap_hard_limit")));
    Map<String, String> sched = fields(Virsh.run("schedinfo", dom.name).ok().out());
    assertEquals(List.of("700", "40000", "20000"),
        List.of(sched.get("cpu_shares"), sched.get("vcpu_period"), sched.get("vcpu_quota")));
  }

  /** libvirt's virLXCCgroupSetupDeviceACL extras: CAP_MKNOD kept, a misc hostdev (rtc timer: no /dev/rtc0 here). */
  @Test
  void mknodAndHostdevAllowsReachDevicesList() throws Exception {
    dom.define(dom.xml("<features><capabilities policy='default'><mknod state='on'/></capabilities></features>\n"
        + "<clock offset='utc'><timer name='rtc'/></clock>\n", "/bin/sh", List.of("-c", ControllerDomain.SLEEP_LOOP),
        dom.rootfs, "<hostdev mode='capabilities' type='misc'><source><char>/dev/tty0</char></source></hostdev>\n"));
    Virsh.run("start", dom.name).ok();
    List<String> expected = new ArrayList<>(List.of("c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
        "c 10:229 rwm", "c 136:* rwm", "c 5:0 rwm", "c 5:2 rwm", "b *:* m", "c *:* m", "c 4:0 rwm"));
    if (Files.exists(Path.of("/dev/rtc0"))) {
      expected.add(Files.readString(Path.of("/sys/class/rtc/rtc0/dev")).strip().replaceFirst("^", "c ") + " r");
    }
    assertEquals(expected.stream().sorted().toList(),
        read(machineDir("devices", "/machine"), "devices.list").lines().sorted().toList());
  }

  @Test
  void nonDefaultPartitionIsNamedAsLibvirtDoesAndRemovedAfterDestroy() throws Exception {
    String partition = "/vlxct-cgfail-" + UUID.randomUUID().toString().substring(0, 8);
    partitionDir = partition.substring(1) + ".partition";
    dom.define(dom.xml("<resource><partition>" + partition + "</partition></resource>\n"));
    Virsh.run("start", dom.name).ok();
    long pid = dom.controllerPid();

    assertTrue(Virsh.run("dominfo", dom.name).ok().out().matches("(?s).*State:\\s+running.*"));
    Path leaf = machineDir("memory", "/" + partitionDir);
    assertTrue(Files.isDirectory(leaf), leaf.toString());
    assertTrue(Files.readString(Path.of("/proc/" + pid + "/cgroup"))
        .contains(":memory:/" + partitionDir + "/lxc-" + pid + "-" + dom.name + ".libvirt-lxc"));
    assertEquals("524288", kib(leaf, "memory.limit_in_bytes"));
    assertEquals("524288", fields(Virsh.run("memtune", dom.name).ok().out()).get("hard_limit"),
        "libvirtd finds the partitioned cgroup");
    assertFalse(Leftovers.find(dom.name, dom.work, partitionDir).isEmpty(), "the leftover check sees a live domain");

    Virsh.run("destroy", dom.name).ok();
    Leftovers.assertNone(dom.name, dom.work, Duration.ofSeconds(5), partitionDir);
  }

  private String tunedXml(String cpu, String extra) {
    return dom.xml("""
          <memtune>
            <hard_limit unit='KiB'>262144</hard_limit>
            <soft_limit unit='KiB'>131072</soft_limit>
            <swap_hard_limit unit='KiB'>393216</swap_hard_limit>
            <min_guarantee unit='KiB'>65536</min_guarantee>
          </memtune>
          <blkiotune>
            <weight>300</weight>
            <device><path>%s</path><weight>700</weight><read_bytes_sec>1048576</read_bytes_sec>
              <write_bytes_sec>2097152</write_bytes_sec><read_iops_sec>100</read_iops_sec>
              <write_iops_sec>200</write_iops_sec></device>
          </blkiotune>
          <cputune><shares>512</shares><period>50000</period><quota>25000</quota></cputune>
          <numatune><memory mode='strict' nodeset='0'/></numatune>
        """.formatted(loop.path) + extra)
        .replace("<vcpu>1</vcpu>", "<vcpu placement='static' cpuset='" + cpu + "'>1</vcpu>");
  }

  /** The domain's cgroup directory in hierarchy {@code controller} under {@code partition}. */
  private Path machineDir(String controller, String partition) throws IOException {
    return CG.resolve(controller).resolve(partition.substring(1))
        .resolve("lxc-" + dom.controllerPid() + "-" + dom.name + ".libvirt-lxc");
  }

  /** "name : value" / "Name:   value" lines as a map (virsh's key-value outputs). */
  static Map<String, String> fields(String out) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        m.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
      }
    }
    return m;
  }

  /** "name value" lines as a map (dommemstat, domblkstat). */
  static Map<String, String> pairs(String out) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (f.length == 2) {
        m.put(f[0], f[1]);
      }
    }
    return m;
  }

  private static String read(Path dir, String file) throws IOException {
    return Files.readString(dir.resolve(file)).strip();
  }

  private static String kib(Path dir, String file) throws IOException {
    return Long.toString(Long.parseLong(read(dir, file)) / 1024);
  }

  private static String weightFile(Path blkio, String suffix) {
    return Files.exists(blkio.resolve("blkio.weight" + suffix)) ? "blkio.weight" + suffix
        : "blkio.bfq.weight" + suffix;
  }

  /** Sum of the "MAJ:MIN OP N" lines of a v1 blkio stat file. */
  private static long serviced(Path blkio, String file, String op) throws IOException {
    return read(blkio, file).lines().map(l -> l.split(" ")).filter(f -> f.length == 3 && f[1].equals(op))
        .mapToLong(f -> Long.parseLong(f[2])).sum();
  }

  private static void assertWithin(long value, long a, long b, long slack, String what) {
    long lo = Math.min(a, b) - slack;
    long hi = Math.max(a, b) + slack;
    assertTrue(value >= lo && value <= hi, what + ": " + value + " not in [" + lo + ", " + hi + "]");
  }

  private static String lastOnlineCpu() throws IOException {
    String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).strip();
    String last = online.substring(online.lastIndexOf(',') + 1);
    return last.substring(last.lastIndexOf('-') + 1);
  }

  /** Removes what is left of this test's partition (only when a controller failed to): leaves first. */
  private void removePartitionDirs() throws IOException {
    if (partitionDir == null) {
      return;
    }
    try (Stream<Path> hierarchies = Files.list(CG)) {
      for (Path h : hierarchies.toList()) {
        Path p = h.resolve(partitionDir);
        if (!Files.isDirectory(p)) {
          continue;
        }
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(Files::isDirectory).forEach(dirs::add);
        }
        for (int i = dirs.size() - 1; i >= 0; i--) {
          Files.deleteIfExists(dirs.get(i));
        }
      }
    }
  }
}
