package org.virtlxc.checkpoint.migrate.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies a {@link TreeDiff} to the destination's tree at {@code root}: deletes what the diff deletes, then writes
 * what {@link TreeSender}'s tar stream carries, each file through a temporary name renamed into place, with its mode,
 * owner and modification time (directories' times last, as writing into them changes them). Nothing is written
 * outside {@code root}: names with {@code ..} or leading '/', or whose parent resolves (through a symbolic link) out
 * of the tree, are refused.
 */
public final class TreeReceiver {
  private final Path root;
  private final Path realRoot;
  private long files;
  private long bytes;

  public TreeReceiver(Path root) throws IOException {
    Files.createDirectories(root);
    this.root = root;
    this.realRoot = root.toRealPath();
  }

  /** Removes each of {@code paths} (relative to the root) with everything below it. */
  public void delete(List<String> paths) throws IOException {
    for (String rel : paths) {
      TreeEntry.checkRelative(rel);
      Path p = inside(rel);
      checkParent(p);
      deleteTree(p);
    }
  }

  /** Writes the entries of the tar stream {@code in} (read to its end). */
  public void receive(InputStream in) throws IOException {
    Deque<Runnable> directoryTimes = new ArrayDeque<>();
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    TarArchiveEntry t;
    while ((t = tar.getNextEntry()) != null) {
      String name = t.getName().endsWith("/") ? t.getName().substring(0, t.getName().length() - 1) : t.getName();
      String rel = name.isEmpty() || name.equals(".") ? "." : name;
      TreeEntry.checkRelative(rel);
      Path p = inside(rel);
      if (!rel.equals(".")) {
        checkParent(p);
        Files.createDirectories(p.getParent());
        checkParent(p);
      }
      FileTime mtime = t.getLastModifiedTime();
      if (t.isDirectory()) {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(p);
          Files.createDirectory(p);
        }
        own(p, t, true);
        directoryTimes.push(() -> setTime(p, mtime));
        continue;
      }
      if (t.isSymbolicLink()) {
        deleteTree(p);
        Files.createSymbolicLink(p, Path.of(t.getLinkName()));
        own(p, t, false);
        setTime(p, mtime);
        continue;
      }
      if (t.isCharacterDevice() || t.isBlockDevice() || t.isFIFO()) {
        // no open(2) of these (the JDK opens a file to change its mode or time; a FIFO's open waits for a writer)
        deleteTree(p);
        String mode = Integer.toOctalString(t.getMode() & 07777);
        run(t.isFIFO() ? List.of("mknod", "-m", mode, p.toString(), "p")
            : List.of("mknod", "-m", mode, p.toString(), t.isCharacterDevice() ? "c" : "b",
                Integer.toString(t.getDevMajor()), Integer.toString(t.getDevMinor())));
        own(p, t, false);
        Instant m = mtime.toInstant();
        run(List.of("touch", "-h", "-m", "-d", "@" + m.getEpochSecond() + "." + String.format("%09d", m.getNano()),
            p.toString()));
        continue;
      }
      if (!t.isFile()) {
        throw new IOException("unexpected entry in the storage stream: " + t.getName() + " (type '"
            + (char) t.getLinkFlag() + "')");
      }
      Path tmp = p.resolveSibling(".vlxc-copy-" + p.getFileName());
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        bytes += tar.transferTo(out);
      }
      own(tmp, t, true);
      setTime(tmp, mtime);
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(p);
      }
      Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      files++;
    }
    while (!directoryTimes.isEmpty()) {
      directoryTimes.pop().run(); // deepest (last written) first
    }
  }

  /** Files written so far. */
  public long files() {
    return files;
  }

  /** Bytes of file content written so far. */
  public long bytes() {
    return bytes;
  }

  private Path inside(String rel) {
    return rel.equals(".") ? root : root.resolve(rel);
  }

  /** Refuses {@code p} when its deepest existing parent resolves outside the tree (a symbolic link on the way). */
  private void checkParent(Path p) throws IOException {
    Path parent = p.getParent();
    while (parent != null && !Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
      parent = parent.getParent();
    }
    if (parent == null || !parent.toRealPath().startsWith(realRoot)) {
      throw new IOException("refusing to write " + p + ": it is not inside " + root);
    }
  }

  private static void own(Path p, TarArchiveEntry t, boolean withMode) throws IOException {
    Files.setAttribute(p, "unix:uid", (int) t.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", (int) t.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
    if (withMode) {
      Files.setAttribute(p, "unix:mode", t.getMode() & 07777, LinkOption.NOFOLLOW_LINKS); // after chown, which clears
    }
  }

  private static void setTime(Path p, FileTime mtime) {
    try {
      Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(mtime, null, null);
    } catch (IOException e) {
      // a symbolic link's time where the platform cannot set it: the next pass compares its target, not its time
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> s = Files.walk(p)) {
        for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(q);
        }
      } catch (NoSuchFileException e) {
        // gone meanwhile
      }
    } else {
      Files.deleteIfExists(p);
    }
  }

  private static void run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    try {
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
  }
}
