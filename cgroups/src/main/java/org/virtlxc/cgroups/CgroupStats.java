package org.virtlxc.cgroups;

/**
 * Usage counters of a domain's cgroup, as {@code virsh dominfo} / {@code domstats} report them.
 *
 * @param memoryUsageBytes current memory usage (v1 memory.usage_in_bytes, v2 memory.current)
 * @param cpuTimeNanos     CPU time consumed (v1 cpuacct.usage, v2 cpu.stat usage_usec × 1000)
 * @param ioReadBytes      bytes read from block devices (-1 when the host does not account it)
 * @param ioWriteBytes     bytes written
 * @param ioReadOps        read operations
 * @param ioWriteOps       write operations
 */
public record CgroupStats(long memoryUsageBytes, long cpuTimeNanos, long ioReadBytes, long ioWriteBytes,
                          long ioReadOps, long ioWriteOps) {}
