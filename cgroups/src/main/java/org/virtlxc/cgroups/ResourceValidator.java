package org.virtlxc.cgroups;

import java.util.BitSet;

/**
 * Checks {@link CgroupResources} against libvirt's ranges and the host before anything is written. Errors name the
 * domain XML element they come from.
 */
public final class ResourceValidator {
  /**
   * Lowest memory limit accepted: 1 MiB. Our own floor (the kernel only rounds to pages, and fails with EBUSY below
   * current usage); nothing smaller can hold a container's init.
   */
  public static final long MIN_MEMORY_BYTES = 1L << 20;
  /** libvirt's VIR_DOMAIN_MEMORY_PARAM_UNLIMITED (KiB), in bytes: values at or above mean "no limit". */
  public static final long UNLIMITED_BYTES = 9007199254740991L * 1024;
  static final long PERIOD_MIN = 1000, PERIOD_MAX = 1000000;
  static final long QUOTA_MIN = 1000, QUOTA_MAX = 17592186044415L;

  private ResourceValidator() {}

  /** Throws a {@link CgroupException.Code#CONFIG} error for the first invalid value. */
  public static void validate(CgroupResources r, HostTopology host, boolean v2) throws CgroupException {
    memory(r.memoryLimit(), "<memory>/<memtune><hard_limit>");
    memory(r.memorySoftLimit(), "<memtune><soft_limit>");
    memory(r.memorySwapLimit(), "<memtune><swap_hard_limit>");
    if (r.memoryMinGuarantee() != null && r.memoryMinGuarantee() < 0) {
      throw CgroupException.config("invalid <memtune><min_guarantee>: must not be negative");
    }
    if (r.memorySwapLimit() != null && r.memoryLimit() != null && r.memorySwapLimit() < r.memoryLimit()) {
      throw CgroupException.config("invalid <memtune><swap_hard_limit> " + r.memorySwapLimit()
          + " bytes: must be greater than or equal to the memory hard limit " + r.memoryLimit() + " bytes");
    }
    if (r.cpuShares() != null) {
      range(r.cpuShares(), v2 ? 1 : 2, v2 ? 10000 : 262144, "<cputune><shares>");
    }
    if (r.cpuPeriod() != null) {
      range(r.cpuPeriod(), PERIOD_MIN, PERIOD_MAX, "<cputune><period>");
    }
    if (r.cpuQuota() != null && r.cpuQuota() != -1) {
      range(r.cpuQuota(), QUOTA_MIN, QUOTA_MAX, "<cputune><quota>");
    }
    subset(r.cpusetCpus(), host.cpus(), "<vcpu cpuset>", "CPUs");
    subset(r.cpusetMems(), host.nodes(), "<numatune><memory nodeset>", "NUMA nodes");
    long wMin = v2 ? 1 : 100, wMax = v2 ? 10000 : 1000;
    if (r.blkioWeight() != null) {
      range(r.blkioWeight(), wMin, wMax, "<blkiotune><weight>");
    }
    if (r.blkioDevices() != null) {
      for (BlkioDeviceLimit d : r.blkioDevices()) {
        if (!d.device().block()) {
          throw CgroupException.config("invalid <blkiotune><device><path> " + d.path() + ": not a block device");
        }
        if (d.weight() != null && d.weight() != 0) {
          range(d.weight(), wMin, wMax, "<blkiotune><device><weight> of " + d.path());
        }
      }
    }
  }

  private static void memory(Long bytes, String element) throws CgroupException {
    if (bytes != null && bytes < MIN_MEMORY_BYTES) {
      throw CgroupException.config("invalid " + element + " " + bytes + " bytes: below the minimum of "
          + MIN_MEMORY_BYTES + " bytes (1 MiB)");
    }
  }

  private static void range(long v, long min, long max, String element) throws CgroupException {
    if (v < min || v > max) {
      throw CgroupException.config("invalid " + element + " " + v + ": must be in range [" + min + ", " + max + "]");
    }
  }

  private static void subset(String list, BitSet host, String element, String what) throws CgroupException {
    if (list == null) {
      return;
    }
    BitSet asked = CpuList.parse(list, element);
    if (asked.isEmpty()) {
      throw CgroupException.config("invalid " + element + " '" + list + "': names no " + what);
    }
    BitSet missing = (BitSet) asked.clone();
    missing.andNot(host);
    if (!missing.isEmpty()) {
      throw CgroupException.config("invalid " + element + " '" + list + "': the host has no " + what + " "
          + CpuList.format(missing) + " (online: " + CpuList.format(host) + ")");
    }
  }
}
