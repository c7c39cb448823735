package org.virtlxc.checkpoint.image;

/** How the tar stream of a save image is stored: as is, or as one zstd stream (a {@code .tar.zst}). */
public enum Compression {
  NONE("none"),
  ZSTD("zstd");

  private final String label;

  Compression(String label) {
    this.label = label;
  }

  /** The name used in the manifest and on the command line. */
  public String label() {
    return label;
  }

  /** The compression named {@code label} ("none" or "zstd"). */
  public static Compression fromLabel(String label) {
    for (Compression c : values()) {
      if (c.label.equals(label)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown compression '" + label + "' (expected none or zstd)");
  }
}
