package org.virtlxc.checkpoint.image;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A save image unpacked and verified: the payload members are files below {@code directory} under their member
 * names, so CRIU's images directory is {@link #criuDir()}; except those left in the image file ({@link #inPlace()}).
 */
public record ExtractedImage(Manifest manifest, VerifiedImage verified, Path directory,
                             Optional<MembersInPlace> inPlace) {
  /** Every member unpacked. */
  public ExtractedImage(Manifest manifest, VerifiedImage verified, Path directory) {
    this(manifest, verified, directory, Optional.empty());
  }

  /** The same, with {@code inPlace} left in the image file. */
  ExtractedImage withInPlace(MembersInPlace inPlace) {
    return new ExtractedImage(manifest, verified, directory, Optional.of(inPlace));
  }

  /** The directory to hand to {@code criu restore -D}. */
  public Path criuDir() {
    return directory.resolve("criu");
  }

  /** Where extra member {@code name} (written as {@code extra/NAME}) was unpacked. */
  public Path extra(String name) {
    return directory.resolve("extra").resolve(name);
  }
}
