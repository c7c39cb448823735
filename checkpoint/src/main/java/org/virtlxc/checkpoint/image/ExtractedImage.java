package org.virtlxc.checkpoint.image;

import java.nio.file.Path;

/**
 * A save image unpacked and verified: the payload members are files below {@code directory} under their member
 * names, so CRIU's images directory is {@link #criuDir()}.
 */
public record ExtractedImage(Manifest manifest, VerifiedImage verified, Path directory) {
  /** The directory to hand to {@code criu restore -D}. */
  public Path criuDir() {
    return directory.resolve("criu");
  }

  /** Where extra member {@code name} (written as {@code extra/NAME}) was unpacked. */
  public Path extra(String name) {
    return directory.resolve("extra").resolve(name);
  }
}
