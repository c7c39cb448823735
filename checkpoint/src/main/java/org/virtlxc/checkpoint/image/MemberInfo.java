package org.virtlxc.checkpoint.image;

/**
 * One payload member of a save image as the manifest lists it: its name inside the image ({@code criu/pages-1.img},
 * {@code extra/console.log}) and its size in bytes.
 */
public record MemberInfo(String name, long size) {
  public MemberInfo {
    MemberNames.requireValidPayloadName(name);
    if (size < 0) {
      throw new IllegalArgumentException("member '" + name + "': negative size " + size);
    }
  }

  /** True for CRIU's memory page images ({@code criu/pages-N.img}), which the page counts of progress refer to. */
  public boolean isPages() {
    String base = name.substring(name.lastIndexOf('/') + 1);
    return name.startsWith(MemberNames.CRIU_PREFIX) && base.startsWith("pages-") && base.endsWith(".img");
  }
}
