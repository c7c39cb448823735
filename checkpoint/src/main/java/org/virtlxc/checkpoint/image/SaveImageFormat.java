package org.virtlxc.checkpoint.image;

/** The save image format this virt-lxc writes and reads. */
public final class SaveImageFormat {
  /** The manifest's "format" value. */
  public static final String NAME = "virt-lxc-save-image";
  /**
   * The version written; also the highest version read (version 1 is read too). Version 2 checks the page images by
   * CRC32C chunks instead of SHA-256 ({@link MemberCheck}).
   */
  public static final int VERSION = 2;

  private SaveImageFormat() {}
}
