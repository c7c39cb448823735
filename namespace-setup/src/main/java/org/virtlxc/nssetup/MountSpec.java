package org.virtlxc.nssetup;

/**
 * An extra mount inside the container, done after /dev and before pivot_root.
 *
 * @param kind      bind of a host path, or a fresh tmpfs ({@code <filesystem type='ram'>})
 * @param source    host path for a bind (absolute), null for tmpfs
 * @param target    path inside the container (absolute)
 * @param readonly  remount read-only
 * @param sizeBytes tmpfs size limit, 0 for the kernel default; 0 for binds
 */
public record MountSpec(Kind kind, String source, String target, boolean readonly, long sizeBytes) {
  public enum Kind { BIND, TMPFS }

  public MountSpec {
    if (kind == null) {
      throw new IllegalArgumentException("mount kind must be given");
    }
    LaunchPlan.requireAbsolute("mount target", target);
    if (kind == Kind.BIND) {
      LaunchPlan.requireAbsolute("bind mount source", source);
      if (sizeBytes != 0) {
        throw new IllegalArgumentException("a bind mount has no size: " + target);
      }
    } else {
      if (source != null) {
        throw new IllegalArgumentException("a tmpfs mount has no source: " + target);
      }
      if (sizeBytes < 0) {
        throw new IllegalArgumentException("tmpfs size must not be negative: " + sizeBytes);
      }
    }
  }

  public static MountSpec bind(String source, String target, boolean readonly) {
    return new MountSpec(Kind.BIND, source, target, readonly, 0);
  }

  public static MountSpec tmpfs(String target, long sizeBytes, boolean readonly) {
    return new MountSpec(Kind.TMPFS, null, target, readonly, sizeBytes);
  }
}
