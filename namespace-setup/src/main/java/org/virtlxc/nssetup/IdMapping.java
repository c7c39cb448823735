package org.virtlxc.nssetup;

/**
 * One line of a uid_map or gid_map: ids {@code inside .. inside+count-1} in the container are
 * {@code outside ..} on the host (libvirt's {@code <idmap><uid start target count/>}).
 */
public record IdMapping(long inside, long outside, long count) {
  public IdMapping {
    if (inside < 0 || outside < 0 || inside > 0xFFFF_FFFFL || outside > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("id mapping ids must be between 0 and 4294967295: " + inside + " " + outside);
    }
    if (count < 1 || count > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("id mapping count must be at least 1: " + count);
    }
  }

  /** The line as the kernel expects it in /proc/PID/uid_map. */
  public String line() {
    return inside + " " + outside + " " + count + "\n";
  }

  /** The host id of container id {@code inside} under {@code maps}, or empty when no line maps it. */
  public static java.util.OptionalLong toHost(java.util.List<IdMapping> maps, long inside) {
    for (IdMapping m : maps) {
      if (inside >= m.inside() && inside - m.inside() < m.count()) {
        return java.util.OptionalLong.of(m.outside() + inside - m.inside());
      }
    }
    return java.util.OptionalLong.empty();
  }
}
