package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Changes a save image in place, atomically: {@code save-image-define}. */
public final class SaveImageEditor {
  private static final Logger LOG = LogManager.getLogger(SaveImageEditor.class);

  private SaveImageEditor() {}

  /**
   * Replaces the domain XML recorded in {@code file} (and the run state, unless {@code runState} is null). The new
   * XML must describe the same domain (name and UUID). The image is rewritten through a temporary file with its
   * compression kept and all checksums recomputed, while the old image is verified member by member; if it is
   * corrupt, or anything fails, {@code file} is left as it was.
   *
   * @return the new manifest
   */
  public static Manifest define(Path file, String domainXml, RunState runState) throws IOException {
    Manifest current = SaveImageReader.readManifest(file);
    Manifest updated = current.withDomainXml(domainXml, runState);
    Manifest written;
    try (InputStream in = SaveImageReader.open(file)) {
      written = AtomicFile.write(file, out -> {
        ImageScanner old = ImageScanner.open(in, file.toString());
        try (ImageOutput image = new ImageOutput(out, updated, WriteProgress.Listener.NONE)) {
          old.scanMembers(image::addMember);
          image.finish();
          return image.manifest();
        }
      });
    }
    LOG.info("replaced the domain XML of save image {} ({})", file, written.domainName());
    return written;
  }
}
