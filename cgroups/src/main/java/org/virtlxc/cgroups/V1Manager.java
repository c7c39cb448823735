package org.virtlxc.cgroups;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * cgroup v1 backend: one directory per mounted hierarchy (co-mounted and named ones included). In a hybrid layout it
 * also creates, joins and removes the same directory in the controller-less cgroup2 hierarchy, where libvirtd looks
 * for the machine.
 */
public final class V1Manager implements CgroupManager {
  private static final Logger LOG = LogManager.getLogger(V1Manager.class);
  private final CgroupLayout layout;
  private final MachineCgroup cgroup;
  private final HostTopology host;
  private final List<Hierarchy> hierarchies = new ArrayList<>();

  /** A manager for {@code cgroup} on a V1 or HYBRID {@code layout}. */
  public V1Manager(CgroupLayout layout, MachineCgroup cgroup, HostTopology host) {
    if (layout.mode() == CgroupLayout.Mode.V2) {
      throw new IllegalArgumentException("V1Manager needs a v1 or hybrid layout");
    }
    this.layout = layout;
    this.cgroup = cgroup;
    this.host = host;
    for (Path mount : layout.v1Hierarchies()) {
      hierarchies.add(new Hierarchy(mount, cgroup));
    }
    if (layout.mode() == CgroupLayout.Mode.HYBRID) {
      hierarchies.add(new Hierarchy(layout.v2Mount(), cgroup));
    }
  }

  @Override
  public MachineCgroup cgroup() {
    return cgroup;
  }

  @Override
  public void create() throws CgroupException {
    Path cpuset = layout.v1Mount("cpuset");
    try {
      for (Hierarchy h : hierarchies) {
        h.create((parent, child) -> { }, (parent, child) -> {
          if (h.root().equals(cpuset)) {   // cpuset needs cpus and mems before any task can join
            child.write("cpuset.cpus", parent.read("cpuset.cpus"));
            child.write("cpuset.mems", parent.read("cpuset.mems"));
          }
        });
      }
    } catch (CgroupException e) {
      destroyQuietly(e);
      throw e;
    }
  }

  @Override
  public void addProcess(long pid) throws CgroupException {
    for (Hierarchy h : hierarchies) {
      h.leaf().write("cgroup.procs", Long.toString(pid));
    }
  }

  @Override
  public void apply(CgroupResources r) throws CgroupException {
    ResourceValidator.validate(r, host, false);
    preflight(r);
    if (r.memoryLimit() != null || r.memorySoftLimit() != null || r.memorySwapLimit() != null) {
      CgroupDir mem = dir("memory");
      Long swap = r.memorySwapLimit();
      boolean swapFirst = swap != null && r.memoryLimit() != null && r.memoryLimit() > mem.readLong(
          "memory.memsw.limit_in_bytes");   // memsw must never be below the limit
      if (swapFirst) {
        mem.write("memory.memsw.limit_in_bytes", bytes(swap));
      }
      if (r.memoryLimit() != null) {
        mem.write("memory.limit_in_bytes", bytes(r.memoryLimit()));
      }
      if (r.memorySoftLimit() != null) {
        mem.write("memory.soft_limit_in_bytes", bytes(r.memorySoftLimit()));
      }
      if (swap != null && !swapFirst) {
        mem.write("memory.memsw.limit_in_bytes", bytes(swap));
      }
    }
    if (r.cpuShares() != null) {
      dir("cpu").write("cpu.shares", r.cpuShares().toString());
    }
    if (r.cpuPeriod() != null) {
      dir("cpu").write("cpu.cfs_period_us", r.cpuPeriod().toString());
    }
    if (r.cpuQuota() != null) {
      dir("cpu").write("cpu.cfs_quota_us", r.cpuQuota().toString());
    }
    if (r.cpusetCpus() != null) {
      dir("cpuset").write("cpuset.cpus", r.cpusetCpus());
    }
    if (r.cpusetMems() != null) {
      dir("cpuset").write("cpuset.mems", r.cpusetMems());
    }
    applyBlkio(r);
    if (r.devices() != null) {
      CgroupDir dev = dir("devices");
      dev.write("devices.deny", "a");
      for (DeviceRule rule : r.devices()) {
        dev.write("devices.allow", rule.toString());
      }
    }
  }

  private void applyBlkio(CgroupResources r) throws CgroupException {
    if (r.blkioWeight() != null) {
      CgroupDir blkio = dir("blkio");
      blkio.write(blkioWeightFile(blkio, ""), r.blkioWeight().toString());
    }
    if (r.blkioDevices() == null) {
      return;
    }
    CgroupDir blkio = dir("blkio");
    for (BlkioDeviceLimit d : r.blkioDevices()) {
      String dev = d.device().toString() + " ";
      if (d.weight() != null) {
        try {
          blkio.write(blkioWeightFile(blkio, "_device"), dev + d.weight());
        } catch (CgroupException e) {
          throw new CgroupException(e.code(), "unable to apply <blkiotune><device><weight> of " + d.path()
              + ": the kernel refuses it (" + e.getMessage() + "); a per-device weight needs the device's I/O "
              + "scheduler to be bfq or cfq", e);
        }
      }
      if (d.readBytesSec() != null) {
        blkio.write("blkio.throttle.read_bps_device", dev + d.readBytesSec());
      }
      if (d.writeBytesSec() != null) {
        blkio.write("blkio.throttle.write_bps_device", dev + d.writeBytesSec());
      }
      if (d.readIopsSec() != null) {
        blkio.write("blkio.throttle.read_iops_device", dev + d.readIopsSec());
      }
      if (d.writeIopsSec() != null) {
        blkio.write("blkio.throttle.write_iops_device", dev + d.writeIopsSec());
      }
    }
  }

  /** Checks for knobs the host may lack, so that an unsupported request fails before anything is written. */
  private void preflight(CgroupResources r) throws CgroupException {
    if (r.memoryMinGuarantee() != null) {   // libvirt_lxc accepts and ignores it too (virDomainCgroupSetupMemtune)
      LOG.warn("ignoring <memtune><min_guarantee>: cgroup v1 has no memory guarantee (memory.low is v2 only)");
    }
    if (r.memorySwapLimit() != null && !dir("memory").has("memory.memsw.limit_in_bytes")) {
      throw new CgroupException(CgroupException.Code.UNSUPPORTED, "unable to apply <memtune><swap_hard_limit>: "
          + "memory.memsw.limit_in_bytes is missing (swap accounting disabled in the kernel)");
    }
    boolean deviceWeight = r.blkioDevices() != null && r.blkioDevices().stream().anyMatch(d -> d.weight() != null);
    if (r.blkioWeight() != null) {
      blkioWeightFile(dir("blkio"), "");
    }
    if (deviceWeight) {
      blkioWeightFile(dir("blkio"), "_device");
    }
    if (r.devices() != null) {
      dir("devices");
    }
  }

  /** blkio.weight[_device] (CFQ) or blkio.bfq.weight[_device] (BFQ), as libvirt picks them. */
  private static String blkioWeightFile(CgroupDir blkio, String suffix) throws CgroupException {
    for (String f : List.of("blkio.weight" + suffix, "blkio.bfq.weight" + suffix)) {
      if (blkio.has(f)) {
        return f;
      }
    }
    throw new CgroupException(CgroupException.Code.UNSUPPORTED, "unable to apply <blkiotune> weight: neither "
        + "blkio.weight" + suffix + " nor blkio.bfq.weight" + suffix + " exists (the block devices' I/O scheduler "
        + "must be cfq or bfq)");
  }

  @Override
  public CgroupResources readBack() throws CgroupException {
    CgroupDir mem = dir("memory");
    CgroupDir cpu = dir("cpu");
    CgroupDir cpuset = dir("cpuset");
    CgroupDir blkio = dir("blkio");
    Integer weight = null;
    for (String f : List.of("blkio.weight", "blkio.bfq.weight")) {
      if (blkio.has(f)) {
        weight = (int) blkio.readLong(f);
        break;
      }
    }
    return new CgroupResources(mem.readLong("memory.limit_in_bytes"), mem.readLong("memory.soft_limit_in_bytes"),
        mem.has("memory.memsw.limit_in_bytes") ? mem.readLong("memory.memsw.limit_in_bytes") : null, null,
        cpu.readLong("cpu.shares"), cpu.readLong("cpu.cfs_period_us"), cpu.readLong("cpu.cfs_quota_us"),
        cpuset.read("cpuset.cpus"), cpuset.read("cpuset.mems"), weight, blkioDevices(blkio),
        deviceList(dir("devices")));
  }

  private static List<BlkioDeviceLimit> blkioDevices(CgroupDir blkio) throws CgroupException {
    String weights = null;
    for (String f : List.of("blkio.weight_device", "blkio.bfq.weight_device")) {
      if (blkio.has(f)) {
        weights = blkio.read(f);
        break;
      }
    }
    return BlkioDeviceFiles.v1(weights, readIfPresent(blkio, "blkio.throttle.read_bps_device"),
        readIfPresent(blkio, "blkio.throttle.write_bps_device"), readIfPresent(blkio, "blkio.throttle.read_iops_device"),
        readIfPresent(blkio, "blkio.throttle.write_iops_device"));
  }

  private static String readIfPresent(CgroupDir d, String file) throws CgroupException {
    return d.has(file) ? d.read(file) : null;
  }

  private static List<DeviceRule> deviceList(CgroupDir dev) throws CgroupException {
    List<DeviceRule> rules = new ArrayList<>();
    for (String line : dev.read("devices.list").split("\n")) {
      String[] f = line.trim().split("[ :]");
      if (f.length != 4) {
        continue;
      }
      if (f[0].equals("a")) {
        return null;
      }
      rules.add(new DeviceRule(f[0].charAt(0), f[1].equals("*") ? -1 : Integer.parseInt(f[1]),
          f[2].equals("*") ? -1 : Integer.parseInt(f[2]), f[3]));
    }
    return rules;
  }

  @Override
  public CgroupStats stats() throws CgroupException {
    long[] bytes = blkioTotals("blkio.throttle.io_service_bytes");
    long[] ops = blkioTotals("blkio.throttle.io_serviced");
    return new CgroupStats(dir("memory").readLong("memory.usage_in_bytes"), dir("cpuacct").readLong("cpuacct.usage"),
        bytes[0], bytes[1], ops[0], ops[1]);
  }

  /** Sums the "MAJ:MIN Read N" / "MAJ:MIN Write N" lines of a blkio stat file: {read, write}. */
  private long[] blkioTotals(String file) throws CgroupException {
    long[] rw = {0, 0};
    for (String line : dir("blkio").read(file).split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 3 && f[0].contains(":") && f[1].equals("Read")) {
        rw[0] += Long.parseLong(f[2]);
      } else if (f.length == 3 && f[0].contains(":") && f[1].equals("Write")) {
        rw[1] += Long.parseLong(f[2]);
      }
    }
    return rw;
  }

  @Override
  public void freeze(Duration timeout) throws CgroupException {
    CgroupDir f = dir("freezer");
    f.write("freezer.state", "FROZEN");
    if (!Freezer.await(timeout, () -> f.read("freezer.state").equals("FROZEN"))) {
      String state = f.read("freezer.state");
      f.write("freezer.state", "THAWED");
      throw new CgroupException(CgroupException.Code.TIMEOUT, "unable to freeze " + f.path() + ": still " + state
          + " after " + timeout.toMillis() + " ms; thawed it again");
    }
  }

  @Override
  public void thaw(Duration timeout) throws CgroupException {
    CgroupDir f = dir("freezer");
    f.write("freezer.state", "THAWED");
    if (!Freezer.await(timeout, () -> f.read("freezer.state").equals("THAWED"))) {
      throw new CgroupException(CgroupException.Code.TIMEOUT, "unable to thaw " + f.path() + ": still "
          + f.read("freezer.state") + " after " + timeout.toMillis() + " ms");
    }
  }

  @Override
  public boolean isFrozen() throws CgroupException {
    return dir("freezer").read("freezer.state").equals("FROZEN");
  }

  @Override
  public void destroy() throws CgroupException {
    CgroupException first = null;
    for (int i = hierarchies.size() - 1; i >= 0; i--) {
      try {
        hierarchies.get(i).destroy();
      } catch (CgroupException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void destroyQuietly(CgroupException cause) {
    try {
      destroy();
    } catch (CgroupException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public List<Path> paths() {
    return hierarchies.stream().map(h -> h.leaf().path()).toList();
  }

  /** The domain's directory in the hierarchy of v1 {@code controller}. */
  CgroupDir dir(String controller) throws CgroupException {
    Path mount = layout.v1Mount(controller);
    if (mount == null) {
      throw new CgroupException(CgroupException.Code.UNSUPPORTED,
          "unable to use cgroup controller '" + controller + "': it is not mounted on this host");
    }
    return new CgroupDir(mount.resolve(cgroup.path().substring(1)));
  }

  private static String bytes(long b) {
    return b >= ResourceValidator.UNLIMITED_BYTES ? "-1" : Long.toString(b);
  }
}
