package org.virtlxc.nssetup;

import java.util.List;
import java.util.Locale;

/** Linux capability names as libvirt spells them in {@code <features><capabilities>}, and their numbers. */
public final class Capability {
  /** Index = capability number (linux/capability.h). */
  private static final List<String> NAMES = List.of(
      "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
      "setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
      "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
      "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
      "lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
      "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore");

  private Capability() {}

  /** The number of capability {@code name} (case-insensitive, with or without "cap_"). */
  public static int number(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("cap_")) {
      n = n.substring(4);
    }
    int i = NAMES.indexOf(n);
    if (i < 0) {
      throw new IllegalArgumentException("unknown capability: " + name);
    }
    return i;
  }

  /** The libvirt name of capability number {@code cap}. */
  public static String name(int cap) {
    if (cap < 0 || cap >= NAMES.size()) {
      throw new IllegalArgumentException("unknown capability number: " + cap);
    }
    return NAMES.get(cap);
  }

  /** All known names, in number order. */
  public static List<String> names() {
    return NAMES;
  }
}
