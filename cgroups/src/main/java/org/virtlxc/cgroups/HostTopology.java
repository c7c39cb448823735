package org.virtlxc.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * The host's online CPUs and NUMA nodes ({@code /sys/devices/system/cpu/online}, {@code .../node/online}).
 */
public record HostTopology(BitSet cpus, BitSet nodes) {

  public HostTopology {
    cpus = (BitSet) cpus.clone();
    nodes = (BitSet) nodes.clone();
  }

  /** Reads the running host's topology; a host without NUMA sysfs has node 0 only. */
  public static HostTopology detect() throws CgroupException {
    return new HostTopology(read(Path.of("/sys/devices/system/cpu/online"), "0"),
        read(Path.of("/sys/devices/system/node/online"), "0"));
  }

  /** Topology from list strings, e.g. {@code of("0-3", "0")}. */
  public static HostTopology of(String cpus, String nodes) throws CgroupException {
    return new HostTopology(CpuList.parse(cpus, "host cpu list"), CpuList.parse(nodes, "host node list"));
  }

  private static BitSet read(Path file, String fallback) throws CgroupException {
    try {
      return CpuList.parse(Files.exists(file) ? Files.readString(file).trim() : fallback, file.toString());
    } catch (IOException e) {
      throw new CgroupException(CgroupException.Code.SYSTEM, "unable to read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public BitSet cpus() {
    return (BitSet) cpus.clone();
  }

  @Override
  public BitSet nodes() {
    return (BitSet) nodes.clone();
  }
}
