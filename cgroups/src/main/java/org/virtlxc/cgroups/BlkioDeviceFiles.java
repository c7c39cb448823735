package org.virtlxc.cgroups;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads per-device blkio settings back from the kernel's files into {@link BlkioDeviceLimit}s (path null: the kernel
 * only knows MAJ:MIN), merging each device's lines in first-seen order. A setting the kernel does not list is null;
 * v2's "max" reads as 0, libvirt's "no limit".
 */
final class BlkioDeviceFiles {
  private static final int WEIGHT = 0, RBPS = 1, WBPS = 2, RIOPS = 3, WIOPS = 4;
  private static final List<String> V2_KEYS = List.of("", "rbps", "wbps", "riops", "wiops");

  private BlkioDeviceFiles() {}

  /**
   * v1: the text of blkio[.bfq].weight_device and of blkio.throttle.{read,write}_{bps,iops}_device, each line
   * "MAJ:MIN VALUE" ("default N" lines are skipped); a null text means the file is absent.
   */
  static List<BlkioDeviceLimit> v1(String weightDevice, String readBps, String writeBps, String readIops,
                                   String writeIops) {
    Map<String, Long[]> devices = new LinkedHashMap<>();
    String[] files = {weightDevice, readBps, writeBps, readIops, writeIops};
    for (int field = 0; field < files.length; field++) {
      if (files[field] == null) {
        continue;
      }
      for (String line : files[field].split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 2 && f[0].matches("\\d+:\\d+")) {
          devices.computeIfAbsent(f[0], k -> new Long[5])[field] = Long.parseLong(f[1]);
        }
      }
    }
    return limits(devices);
  }

  /** v2: the text of io.weight ("default N", "MAJ:MIN N") and io.max ("MAJ:MIN rbps=N wbps=max …"). */
  static List<BlkioDeviceLimit> v2(String ioWeight, String ioMax) {
    Map<String, Long[]> devices = new LinkedHashMap<>();
    for (String line : ioWeight.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2 && f[0].matches("\\d+:\\d+")) {
        devices.computeIfAbsent(f[0], k -> new Long[5])[WEIGHT] = Long.parseLong(f[1]);
      }
    }
    for (String line : ioMax.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 2 || !f[0].matches("\\d+:\\d+")) {
        continue;
      }
      Long[] v = devices.computeIfAbsent(f[0], k -> new Long[5]);
      for (int i = 1; i < f.length; i++) {
        int eq = f[i].indexOf('=');
        int field = eq < 0 ? -1 : V2_KEYS.indexOf(f[i].substring(0, eq));
        if (field > 0) {
          String value = f[i].substring(eq + 1);
          v[field] = value.equals("max") ? 0L : Long.parseLong(value);
        }
      }
    }
    return limits(devices);
  }

  private static List<BlkioDeviceLimit> limits(Map<String, Long[]> devices) {
    List<BlkioDeviceLimit> out = new ArrayList<>();
    for (Map.Entry<String, Long[]> e : devices.entrySet()) {
      String[] mm = e.getKey().split(":");
      Long[] v = e.getValue();
      out.add(new BlkioDeviceLimit(null, new DeviceNumber(true, Integer.parseInt(mm[0]), Integer.parseInt(mm[1])),
          v[WEIGHT] == null ? null : v[WEIGHT].intValue(), v[RBPS], v[WBPS], v[RIOPS], v[WIOPS]));
    }
    return out;
  }
}
