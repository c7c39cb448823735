package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Replaces a file all at once: the content goes to a temporary file (mode 0600) next to it, which is fsynced,
 * renamed over the target, and the directory fsynced. On any failure the temporary file is deleted and the target
 * is left as it was.
 */
final class AtomicFile {
  private static final Logger LOG = LogManager.getLogger(AtomicFile.class);
  static final Set<PosixFilePermission> MODE_0600 = PosixFilePermissions.fromString("rw-------");

  /** Writes the content to the stream it is given. */
  @FunctionalInterface
  interface Body<T> {
    T writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes the content to the stream it is given, or straight into the file's channel (readable too) at its
   * position, after flushing the stream.
   */
  @FunctionalInterface
  interface ChannelBody<T> {
    T writeTo(OutputStream out, FileChannel channel) throws IOException;
  }

  private AtomicFile() {}

  static <T> T write(Path target, Body<T> body) throws IOException {
    return write(target, (out, channel) -> body.writeTo(out));
  }

  static <T> T write(Path target, ChannelBody<T> body) throws IOException {
    Path temp = createTemp(target);
    boolean done = false;
    try {
      T result;
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(ch);
        result = body.writeTo(out, ch);
        out.flush();
        ch.force(true);
      }
      commit(temp, target);
      done = true;
      return result;
    } finally {
      if (!done) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          LOG.warn("unable to remove temporary file {}: {}", temp, e.toString());
        }
      }
    }
  }

  /** A new empty temporary file (mode 0600) next to {@code target}, for {@link #commit}. */
  static Path createTemp(Path target) throws IOException {
    Path file = target.toAbsolutePath();
    return Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp",
        PosixFilePermissions.asFileAttribute(MODE_0600));
  }

  /** Renames the written and fsynced {@code temp} over {@code target} and fsyncs their directory. */
  static void commit(Path temp, Path target) throws IOException {
    Path file = target.toAbsolutePath();
    Files.setPosixFilePermissions(temp, MODE_0600);
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("unable to rename " + temp + " to " + file + " atomically", e);
    }
    syncDirectory(file.getParent());
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
