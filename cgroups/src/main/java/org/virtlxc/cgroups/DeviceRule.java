package org.virtlxc.cgroups;

import java.util.List;

/**
 * One device cgroup allow rule, formatted as the kernel's devices.list shows it: "c 1:3 rwm", "c 136:* rwm".
 *
 * @param type   'c' or 'b'
 * @param major  major number, or -1 for '*'
 * @param minor  minor number, or -1 for '*'
 * @param access a non-empty subset of "rwm"
 */
public record DeviceRule(char type, int major, int minor, String access) {

  /** The character devices every LXC container gets (what libvirt_lxc allows on this host's devices.list). */
  public static final List<DeviceRule> CONTAINER_DEFAULTS = List.of(
      chr(1, 3), chr(1, 5), chr(1, 7), chr(1, 8), chr(1, 9),   // null zero full random urandom
      chr(5, 0), chr(5, 2),                                    // tty, ptmx
      chr(136, -1),                                            // /dev/pts/*
      chr(10, 229));                                           // fuse

  public DeviceRule {
    if (type != 'c' && type != 'b') {
      throw new IllegalArgumentException("device type must be 'c' or 'b': " + type);
    }
    if (access.isEmpty() || !access.matches("r?w?m?")) {
      throw new IllegalArgumentException("device access must be a subset of rwm: " + access);
    }
  }

  /** Read/write/mknod of character device major:minor (minor -1 = all). */
  public static DeviceRule chr(int major, int minor) {
    return new DeviceRule('c', major, minor, "rwm");
  }

  /** Read/write/mknod of the given device node. */
  public static DeviceRule of(DeviceNumber dev) {
    return new DeviceRule(dev.block() ? 'b' : 'c', dev.major(), dev.minor(), "rwm");
  }

  @Override
  public String toString() {
    return type + " " + (major < 0 ? "*" : major) + ":" + (minor < 0 ? "*" : minor) + " " + access;
  }
}
