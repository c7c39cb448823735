package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.image.ExtractedImage;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.VerifiedImage;

/**
 * A save image checked whole and unpacked in the same pass ({@link SaveService#unpack}) into a private directory that
 * nothing points at yet: {@link SaveService#stage(UnpackedImage, org.virtlxc.checkpoint.image.RunState)} moves it into
 * place as the domain's pending restore; {@link #close} removes it if that did not happen.
 */
public final class UnpackedImage implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(UnpackedImage.class);

  private final Path file;
  private final ExtractedImage extracted;
  private boolean staged;

  UnpackedImage(Path file, ExtractedImage extracted) {
    this.file = file;
    this.extracted = extracted;
  }

  /** The save image it was unpacked from. */
  public Path file() {
    return file;
  }

  public Manifest manifest() {
    return extracted.manifest();
  }

  public VerifiedImage verified() {
    return extracted.verified();
  }

  ExtractedImage extracted() {
    return extracted;
  }

  /** The private directory now belongs to a pending restore: {@link #close} leaves it. */
  void staged() {
    staged = true;
  }

  /** Removes the unpacked files unless they were staged. */
  @Override
  public void close() {
    if (staged || !Files.exists(extracted.directory())) {
      return;
    }
    try {
      Tree.delete(extracted.directory());
    } catch (IOException e) {
      LOG.warn("unable to remove the unpacked save image {}: {}", extracted.directory(), e.getMessage());
    }
  }
}
