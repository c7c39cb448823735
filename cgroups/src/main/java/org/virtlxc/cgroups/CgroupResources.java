package org.virtlxc.cgroups;

import java.util.List;

/**
 * Desired limits of a domain's cgroup. A null component means "do not touch this knob" (runc's nil pointers).
 * Sizes are bytes, times microseconds.
 *
 * @param memoryLimit        hard limit: {@code <memory>}, overridden by {@code <memtune><hard_limit>}
 * @param memorySoftLimit    {@code <memtune><soft_limit>} (v1 soft limit, v2 memory.high)
 * @param memorySwapLimit    {@code <memtune><swap_hard_limit>}: memory plus swap
 * @param memoryMinGuarantee {@code <memtune><min_guarantee>} (v2 memory.low only)
 * @param cpuShares          {@code <cputune><shares>}
 * @param cpuPeriod          {@code <cputune><period>}
 * @param cpuQuota           {@code <cputune><quota>}, -1 for unlimited
 * @param cpusetCpus         {@code <vcpu cpuset>}, a CPU list such as "0-3,5"
 * @param cpusetMems         {@code <numatune><memory nodeset>}
 * @param blkioWeight        {@code <blkiotune><weight>}
 * @param blkioDevices       {@code <blkiotune><device>} entries; null = none
 * @param devices            allow-list applied after denying everything; null = leave device access alone
 */
public record CgroupResources(Long memoryLimit, Long memorySoftLimit, Long memorySwapLimit, Long memoryMinGuarantee,
                              Long cpuShares, Long cpuPeriod, Long cpuQuota, String cpusetCpus, String cpusetMems,
                              Integer blkioWeight, List<BlkioDeviceLimit> blkioDevices, List<DeviceRule> devices) {

  /** Nothing to touch. */
  public static final CgroupResources NONE =
      new CgroupResources(null, null, null, null, null, null, null, null, null, null, null, null);

  public CgroupResources {
    blkioDevices = blkioDevices == null ? null : List.copyOf(blkioDevices);
    devices = devices == null ? null : List.copyOf(devices);
  }

  public CgroupResources withMemory(Long limit, Long soft, Long swap, Long min) {
    return new CgroupResources(limit, soft, swap, min, cpuShares, cpuPeriod, cpuQuota, cpusetCpus, cpusetMems,
        blkioWeight, blkioDevices, devices);
  }

  public CgroupResources withCpu(Long shares, Long period, Long quota) {
    return new CgroupResources(memoryLimit, memorySoftLimit, memorySwapLimit, memoryMinGuarantee, shares, period,
        quota, cpusetCpus, cpusetMems, blkioWeight, blkioDevices, devices);
  }

  public CgroupResources withCpuset(String cpus, String mems) {
    return new CgroupResources(memoryLimit, memorySoftLimit, memorySwapLimit, memoryMinGuarantee, cpuShares,
        cpuPeriod, cpuQuota, cpus, mems, blkioWeight, blkioDevices, devices);
  }

  public CgroupResources withBlkio(Integer weight, List<BlkioDeviceLimit> perDevice) {
    return new CgroupResources(memoryLimit, memorySoftLimit, memorySwapLimit, memoryMinGuarantee, cpuShares,
        cpuPeriod, cpuQuota, cpusetCpus, cpusetMems, weight, perDevice, devices);
  }

  public CgroupResources withDevices(List<DeviceRule> allow) {
    return new CgroupResources(memoryLimit, memorySoftLimit, memorySwapLimit, memoryMinGuarantee, cpuShares,
        cpuPeriod, cpuQuota, cpusetCpus, cpusetMems, blkioWeight, blkioDevices, allow);
  }
}
