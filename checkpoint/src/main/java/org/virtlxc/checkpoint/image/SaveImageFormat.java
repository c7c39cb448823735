package org.virtlxc.checkpoint.image;

/** The save image format this virt-lxc writes and reads. */
public final class SaveImageFormat {
  /** The manifest's "format" value. */
  public static final String NAME = "virt-lxc-save-image";
  /** The version written; also the highest version read. */
  public static final int VERSION = 1;

  private SaveImageFormat() {}
}
