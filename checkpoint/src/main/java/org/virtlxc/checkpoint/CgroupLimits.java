package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The limits of a process's cgroups, as a save image's manifest records them (informational: a restore re-applies
 * them from the domain XML). Reads the knobs libvirt sets from the domain XML, in each v1 hierarchy the process is in.
 */
final class CgroupLimits {
  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  private static final Map<String, List<String>> KNOBS = Map.of(
      "memory", List.of("memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes"),
      "cpu", List.of("cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us"),
      "cpuset", List.of("cpuset.cpus", "cpuset.mems"),
      "pids", List.of("pids.max"),
      "blkio", List.of("blkio.weight"));

  private CgroupLimits() {}

  /** Knob file name to value for {@code pid}; knobs that cannot be read are left out. */
  static Map<String, String> of(long pid) {
    Map<String, String> limits = new TreeMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
    } catch (IOException e) {
      return limits;
    }
    for (String line : lines) {
      String[] f = line.split(":", 3);
      if (f.length != 3) {
        continue;
      }
      for (String controller : f[1].split(",")) {
        for (String knob : KNOBS.getOrDefault(controller, List.of())) {
          Path file = ROOT.resolve(controller).resolve(f[2].replaceFirst("^/", "")).resolve(knob);
          try {
            limits.put(knob, Files.readString(file).strip());
          } catch (IOException e) {
            // not every kernel has every knob (memsw needs swap accounting)
          }
        }
      }
    }
    return limits;
  }
}
