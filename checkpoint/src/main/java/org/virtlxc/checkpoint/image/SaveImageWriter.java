package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Packs a manifest and payload members (CRIU's image files, extra files) into one save image. Immutable: configure
 * with {@link #compression} and {@link #progress}, then {@link #write} to a file or {@link #writeTo} a stream.
 */
public final class SaveImageWriter {
  private static final Logger LOG = LogManager.getLogger(SaveImageWriter.class);

  private final Compression compression;
  private final WriteProgress.Listener listener;

  private SaveImageWriter(Compression compression, WriteProgress.Listener listener) {
    this.compression = compression;
    this.listener = listener;
  }

  /** A writer without compression or progress reports. */
  public static SaveImageWriter create() {
    return new SaveImageWriter(Compression.NONE, WriteProgress.Listener.NONE);
  }

  public SaveImageWriter compression(Compression c) {
    return new SaveImageWriter(c, listener);
  }

  public SaveImageWriter progress(WriteProgress.Listener l) {
    return new SaveImageWriter(compression, l);
  }

  /**
   * Writes the image to {@code file} (mode 0600) through a temporary file next to it, fsynced and renamed over it;
   * on any failure the temporary file is removed and an existing {@code file} is left untouched.
   *
   * @param manifest what the manifest says besides the members (its members and compression are replaced)
   * @param members  the payload, e.g. {@link MemberSource#criuDirectory} plus {@link MemberSource#extra}
   * @return the manifest as written
   */
  public Manifest write(Path file, Manifest manifest, List<MemberSource> members) throws IOException {
    try {
      Manifest written = AtomicFile.write(file,
          (out, channel) -> write(out, channel, manifest, members));
      LOG.info("wrote save image {} ({} members, {} payload bytes, {})", file, written.members().size(),
          written.payloadBytes(), compression.label());
      return written;
    } catch (SaveImageException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("unable to write save image " + file + ": " + describe(e), e);
    }
  }

  /** Writes the image to {@code out}, which is flushed but not closed. */
  public Manifest writeTo(OutputStream out, Manifest manifest, List<MemberSource> members) throws IOException {
    return write(out, null, manifest, members);
  }

  /** Writes to {@code out}; members from files are copied by the kernel into {@code file} if not null. */
  private Manifest write(OutputStream out, FileChannel file, Manifest manifest, List<MemberSource> members)
      throws IOException {
    Manifest full = manifest.withWriteDetails(compression, members.stream().map(MemberSource::info).toList());
    try (ImageOutput image = new ImageOutput(out, file, full, listener)) {
      for (MemberSource m : members) {
        if (file != null && m.file() != null) {
          image.addMember(m.info(), m.file());
          continue;
        }
        try (InputStream in = m.opener().open()) {
          image.addMember(m.info(), in);
        }
      }
      image.finish();
    }
    return full;
  }

  private static String describe(IOException e) {
    if (e instanceof java.io.InterruptedIOException || e instanceof java.nio.channels.ClosedByInterruptException) {
      return "interrupted";
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
