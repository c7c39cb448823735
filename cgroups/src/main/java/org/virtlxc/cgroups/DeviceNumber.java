package org.virtlxc.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A device node's major:minor and kind, read with the JDK's {@code unix:rdev} and {@code unix:mode} attributes.
 *
 * @param block true for a block device, false for a character device
 */
public record DeviceNumber(boolean block, int major, int minor) {
  private static final int S_IFMT = 0170000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFCHR = 0020000;

  /** Stats {@code node}; errors if it is not a device node. */
  public static DeviceNumber of(Path node) throws CgroupException {
    try {
      long rdev = (Long) Files.getAttribute(node, "unix:rdev");
      int mode = (Integer) Files.getAttribute(node, "unix:mode");
      int type = mode & S_IFMT;
      if (type != S_IFBLK && type != S_IFCHR) {
        throw CgroupException.config("unable to use " + node + " as a device: not a block or character device");
      }
      return new DeviceNumber(type == S_IFBLK, major(rdev), minor(rdev));
    } catch (IOException | UnsupportedOperationException e) {
      throw new CgroupException(CgroupException.Code.CONFIG, "unable to stat device " + node + ": " + e.getMessage(), e);
    }
  }

  /** glibc's gnu_dev_major. */
  static int major(long dev) {
    return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
  }

  /** glibc's gnu_dev_minor. */
  static int minor(long dev) {
    return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
  }

  /** "MAJ:MIN". */
  @Override
  public String toString() {
    return major + ":" + minor;
  }
}
