package org.virtlxc.checkpoint.migrate.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes the entries a {@link TreeDiff} sends as a POSIX tar stream: type, mode (with setuid, setgid, sticky), owner,
 * modification time, content, link target, device numbers. A file is sent as it is when its turn comes (its size
 * then); one that is gone by then is left out (the next pass deletes it there).
 */
public final class TreeSender {
  private static final int BUFFER = 1 << 20;

  private TreeSender() {}

  /** Hears the file bytes as they go; an exception it throws (e.g. a {@code domjobabort}) ends the sending. */
  @FunctionalInterface
  public interface Progress {
    void sent(long bytes) throws IOException;
  }

  /** Sends {@code entries} of the tree at {@code root} into {@code out} (closed at the end: the tar's end). */
  public static void send(Path root, List<TreeEntry> entries, OutputStream out, Progress bytesSent)
      throws IOException {
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
      for (TreeEntry e : entries) {
        Path p = e.path().equals(".") ? root : root.resolve(e.path());
        try {
          sendOne(tar, p, e, buffer, bytesSent);
        } catch (NoSuchFileException gone) {
          // removed since the listing
        }
      }
      tar.finish();
    }
  }

  private static void sendOne(TarArchiveOutputStream tar, Path p, TreeEntry e, ByteBuffer buffer,
      Progress bytesSent) throws IOException {
    String name = e.path().equals(".") ? "./" : e.path();
    TarArchiveEntry t;
    switch (e.type()) {
      case DIRECTORY -> t = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true);
      case SYMLINK -> {
        t = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        t.setLinkName(Files.readSymbolicLink(p).toString());
      }
      case CHAR_DEVICE, BLOCK_DEVICE -> {
        t = new TarArchiveEntry(name, e.type() == TreeEntry.Type.CHAR_DEVICE ? TarConstants.LF_CHR
            : TarConstants.LF_BLK, true);
        t.setDevMajor((int) major(e.rdev()));
        t.setDevMinor((int) minor(e.rdev()));
      }
      case FIFO -> t = new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
      case FILE -> t = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
      default -> throw new IllegalStateException(e.toString());
    }
    t.setMode(e.mode());
    t.setUserId(e.uid());
    t.setGroupId(e.gid());
    t.setModTime(FileTime.from(e.mtimeMicros(), TimeUnit.MICROSECONDS));
    if (e.type() != TreeEntry.Type.FILE) {
      tar.putArchiveEntry(t);
      tar.closeArchiveEntry();
      return;
    }
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      t.setSize(size);
      t.setModTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
      tar.putArchiveEntry(t);
      long left = size;
      while (left > 0) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), left));
        int n = ch.read(buffer);
        if (n < 0) { // shrank while being read: the size is promised, so zeros; the next pass sends it again
          java.util.Arrays.fill(buffer.array(), 0, buffer.limit(), (byte) 0);
          n = buffer.limit();
        }
        tar.write(buffer.array(), 0, n);
        left -= n;
        bytesSent.sent(n);
      }
      tar.closeArchiveEntry();
    }
  }

  /** Linux's major number of {@code st_rdev}. */
  static long major(long rdev) {
    return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
  }

  /** Linux's minor number of {@code st_rdev}. */
  static long minor(long rdev) {
    return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
  }
}
