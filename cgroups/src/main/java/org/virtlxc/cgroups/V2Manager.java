package org.virtlxc.cgroups;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure cgroup v2 backend. Device access rules would need an eBPF device program, which is not implemented: applying a
 * device list fails with {@link CgroupException.Code#UNSUPPORTED} before anything is written.
 */
public final class V2Manager implements CgroupManager {
  /** Controllers enabled in each ancestor's cgroup.subtree_control, when the parent offers them. */
  static final List<String> CONTROLLERS = List.of("cpuset", "cpu", "io", "memory", "pids");

  private final MachineCgroup cgroup;
  private final HostTopology host;
  private final Hierarchy hierarchy;

  /** A manager for {@code cgroup} under the cgroup2 mount {@code v2Mount}. */
  public V2Manager(Path v2Mount, MachineCgroup cgroup, HostTopology host) {
    this.cgroup = cgroup;
    this.host = host;
    this.hierarchy = new Hierarchy(v2Mount, cgroup);
  }

  @Override
  public MachineCgroup cgroup() {
    return cgroup;
  }

  @Override
  public void create() throws CgroupException {
    try {
      hierarchy.create((parent, child) -> enableControllers(parent), (parent, child) -> { });
    } catch (CgroupException e) {
      try {
        hierarchy.destroy();
      } catch (CgroupException inner) {
        e.addSuppressed(inner);
      }
      throw e;
    }
  }

  private static void enableControllers(CgroupDir parent) throws CgroupException {
    List<String> available = Arrays.asList(parent.read("cgroup.controllers").split("\\s+"));
    List<String> enabled = Arrays.asList(parent.read("cgroup.subtree_control").split("\\s+"));
    StringBuilder add = new StringBuilder();
    for (String c : CONTROLLERS) {
      if (available.contains(c) && !enabled.contains(c)) {
        add.append(add.length() == 0 ? "" : " ").append('+').append(c);
      }
    }
    if (add.length() > 0) {
      parent.write("cgroup.subtree_control", add.toString());
    }
  }

  @Override
  public void addProcess(long pid) throws CgroupException {
    leaf().write("cgroup.procs", Long.toString(pid));
  }

  @Override
  public void apply(CgroupResources r) throws CgroupException {
    ResourceValidator.validate(r, host, true);
    CgroupDir d = leaf();
    preflight(r, d);
    if (r.memoryLimit() != null) {
      d.write("memory.max", bytes(r.memoryLimit()));
    }
    if (r.memorySoftLimit() != null) {
      d.write("memory.high", bytes(r.memorySoftLimit()));   // libvirt maps soft_limit to memory.high
    }
    if (r.memoryMinGuarantee() != null) {
      d.write("memory.low", bytes(r.memoryMinGuarantee()));
    }
    if (r.memorySwapLimit() != null) {
      d.write("memory.swap.max", swapMax(r.memorySwapLimit(), d.readLong("memory.max")));
    }
    if (r.cpuShares() != null) {
      d.write("cpu.weight", r.cpuShares().toString());   // libvirt writes shares unchanged, range [1, 10000]
    }
    if (r.cpuPeriod() != null || r.cpuQuota() != null) {
      String[] cur = d.read("cpu.max").split("\\s+");
      String quota = r.cpuQuota() == null ? cur[0] : r.cpuQuota() < 0 ? "max" : r.cpuQuota().toString();
      String period = r.cpuPeriod() == null ? cur[1] : r.cpuPeriod().toString();
      d.write("cpu.max", quota + " " + period);
    }
    if (r.cpusetCpus() != null) {
      d.write("cpuset.cpus", r.cpusetCpus());
    }
    if (r.cpusetMems() != null) {
      d.write("cpuset.mems", r.cpusetMems());
    }
    if (r.blkioWeight() != null) {
      d.write("io.weight", "default " + r.blkioWeight());
    }
    if (r.blkioDevices() != null) {
      for (BlkioDeviceLimit dev : r.blkioDevices()) {
        if (dev.weight() != null) {
          d.write("io.weight", dev.device() + " " + (dev.weight() == 0 ? "default" : dev.weight()));
        }
        String max = ioMax(dev);
        if (max != null) {
          d.write("io.max", max);
        }
      }
    }
  }

  private static void preflight(CgroupResources r, CgroupDir d) throws CgroupException {
    if (r.devices() != null) {
      throw new CgroupException(CgroupException.Code.UNSUPPORTED, "unable to apply the device access list to "
          + d.path() + ": device access rules on a pure cgroup v2 host need an eBPF device program, not supported yet");
    }
    if (r.memorySwapLimit() != null && !d.has("memory.swap.max")) {
      throw new CgroupException(CgroupException.Code.UNSUPPORTED, "unable to apply <memtune><swap_hard_limit>: "
          + "memory.swap.max is missing (swap accounting disabled in the kernel)");
    }
    if (r.memorySwapLimit() != null && r.memoryLimit() == null && d.readLong("memory.max") == Long.MAX_VALUE) {
      throw CgroupException.config("unable to apply <memtune><swap_hard_limit>: on cgroup v2 it needs a memory "
          + "hard limit (memory.swap.max holds swap only: swap_hard_limit minus hard_limit)");
    }
  }

  /** memory.swap.max holds swap alone: libvirt writes swap_hard_limit minus memory.max. */
  static String swapMax(long swapHardLimit, long memoryMax) {
    if (swapHardLimit >= ResourceValidator.UNLIMITED_BYTES) {
      return "max";
    }
    return Long.toString(Math.max(0, swapHardLimit - memoryMax));
  }

  /** "MAJ:MIN rbps=N wbps=N riops=N wiops=N" with only the set throttles (0 = "max", no limit), or null. */
  static String ioMax(BlkioDeviceLimit d) {
    StringBuilder b = new StringBuilder();
    Object[][] keys = {{"rbps", d.readBytesSec()}, {"wbps", d.writeBytesSec()}, {"riops", d.readIopsSec()},
        {"wiops", d.writeIopsSec()}};
    for (Object[] k : keys) {
      if (k[1] != null) {
        long v = (Long) k[1];
        b.append(' ').append(k[0]).append('=').append(v == 0 ? "max" : Long.toString(v));
      }
    }
    return b.length() == 0 ? null : d.device() + b.toString();
  }

  @Override
  public CgroupResources readBack() throws CgroupException {
    CgroupDir d = leaf();
    long max = d.readLong("memory.max");
    long swap = d.readLong("memory.swap.max");
    String[] cpuMax = d.read("cpu.max").split("\\s+");
    Integer weight = null;
    for (String line : d.read("io.weight").split("\n")) {
      if (line.startsWith("default ")) {
        weight = Integer.parseInt(line.substring(8).trim());
      }
    }
    return new CgroupResources(max, d.readLong("memory.high"),
        max == Long.MAX_VALUE || swap == Long.MAX_VALUE ? Long.MAX_VALUE : max + swap, d.readLong("memory.low"),
        d.readLong("cpu.weight"), Long.parseLong(cpuMax[1]), cpuMax[0].equals("max") ? -1 : Long.parseLong(cpuMax[0]),
        d.read("cpuset.cpus"), d.read("cpuset.mems"), weight, BlkioDeviceFiles.v2(d.read("io.weight"),
        d.has("io.max") ? d.read("io.max") : ""), null);
  }

  @Override
  public CgroupStats stats() throws CgroupException {
    CgroupDir d = leaf();
    long usec = 0;
    for (String line : d.read("cpu.stat").split("\n")) {
      if (line.startsWith("usage_usec ")) {
        usec = Long.parseLong(line.substring(11).trim());
      }
    }
    long[] io = new long[4];   // rbytes wbytes rios wios
    List<String> keys = List.of("rbytes", "wbytes", "rios", "wios");
    for (String line : d.read("io.stat").split("\n")) {
      for (String kv : line.trim().split("\\s+")) {
        int eq = kv.indexOf('=');
        int i = eq < 0 ? -1 : keys.indexOf(kv.substring(0, eq));
        if (i >= 0) {
          io[i] += Long.parseLong(kv.substring(eq + 1));
        }
      }
    }
    return new CgroupStats(d.readLong("memory.current"), usec * 1000, io[0], io[1], io[2], io[3]);
  }

  @Override
  public void freeze(Duration timeout) throws CgroupException {
    CgroupDir d = leaf();
    d.write("cgroup.freeze", "1");
    if (!Freezer.await(timeout, this::isFrozen)) {
      d.write("cgroup.freeze", "0");
      throw new CgroupException(CgroupException.Code.TIMEOUT, "unable to freeze " + d.path() + ": cgroup.events "
          + "did not report frozen after " + timeout.toMillis() + " ms; thawed it again");
    }
  }

  @Override
  public void thaw(Duration timeout) throws CgroupException {
    CgroupDir d = leaf();
    d.write("cgroup.freeze", "0");
    if (!Freezer.await(timeout, () -> !isFrozen())) {
      throw new CgroupException(CgroupException.Code.TIMEOUT, "unable to thaw " + d.path() + ": cgroup.events "
          + "still reports frozen after " + timeout.toMillis() + " ms");
    }
  }

  @Override
  public boolean isFrozen() throws CgroupException {
    for (String line : leaf().read("cgroup.events").split("\n")) {
      if (line.trim().equals("frozen 1")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void destroy() throws CgroupException {
    hierarchy.destroy();
  }

  @Override
  public List<Path> paths() {
    return new ArrayList<>(List.of(leaf().path()));
  }

  private CgroupDir leaf() {
    return hierarchy.leaf();
  }

  private static String bytes(long b) {
    return b >= ResourceValidator.UNLIMITED_BYTES ? "max" : Long.toString(b);
  }
}
