package org.virtlxc.cgroups;

import java.nio.charset.StandardCharsets;

/**
 * systemd unit names as libvirt makes them (virsystemd.c {@code virSystemdEscapeName},
 * {@code virSystemdMakeScopeName}, {@code virSystemdMakeSliceName}). The escaping works on the UTF-8 bytes: each byte
 * outside [0-9A-Za-z:_.] becomes {@code \xNN} (lower-case hex), so do '-' and '\', and a leading '.'; '/' becomes '-'.
 */
public final class SystemdUnitNames {
  private SystemdUnitNames() {}

  /** libvirt's escape of {@code name}, e.g. "lxc-42-web" → "lxc\x2d42\x2dweb". */
  public static String escape(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < bytes.length; i++) {
      int c = bytes[i] & 0xff;
      if (i == 0 && c == '.') {
        hex(b, c);
      } else if (c == '/') {
        b.append('-');
      } else if (plain(c)) {
        b.append((char) c);
      } else {
        hex(b, c);
      }
    }
    return b.toString();
  }

  /** The scope machined makes for machine {@code machineName}: "machine-" + escaped name + ".scope". */
  public static String scopeName(String machineName) {
    return "machine-" + escape(machineName) + ".scope";
  }

  /**
   * libvirt's older scope name, made from the domain name and the driver ("machine-lxc\x2d" + escaped name +
   * ".scope"); libvirtd still accepts it when it validates a machine's cgroup.
   */
  public static String legacyScopeName(String domainName, String driver) {
    return "machine-" + escape(driver) + "\\x2d" + escape(domainName) + ".scope";
  }

  /** The slice of partition {@code partition}: "/machine" → "machine.slice", "/machine/a" → "machine-a.slice". */
  public static String sliceName(String partition) {
    String p = partition.startsWith("/") ? partition.substring(1) : partition;
    return escape(p) + ".slice";
  }

  private static boolean plain(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || c == ':' || c == '_' || c == '.';
  }

  private static void hex(StringBuilder b, int c) {
    b.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
  }
}
