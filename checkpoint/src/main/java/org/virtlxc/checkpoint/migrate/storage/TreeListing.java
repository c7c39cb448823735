package org.virtlxc.checkpoint.migrate.storage;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Lists a directory tree for a storage copy, as {@code rsync -x} sees it: symbolic links are not followed and other
 * filesystems mounted inside are not entered (their mount point is listed as a directory). Sockets are left out.
 */
public final class TreeListing {
  private static final String ATTRIBUTES = "unix:mode,uid,gid,rdev,size,lastModifiedTime,dev";
  private static final int S_IFMT = 0170000;

  private TreeListing() {}

  /** The entries of the tree at {@code root}, the root itself first as {@code "."}, then sorted by path. */
  public static List<TreeEntry> of(Path root) throws IOException {
    Map<String, Object> rootAttrs = Files.readAttributes(root, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    if (type((Integer) rootAttrs.get("mode")) != TreeEntry.Type.DIRECTORY) {
      throw new IOException(root + " is not a directory");
    }
    long rootDev = (Long) rootAttrs.get("dev");
    List<TreeEntry> entries = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes basic) throws IOException {
        Map<String, Object> a = Files.readAttributes(dir, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        entries.add(entry(root, dir, a));
        return dir.equals(root) || (Long) a.get("dev") == rootDev ? FileVisitResult.CONTINUE
            : FileVisitResult.SKIP_SUBTREE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes basic) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        if (type((Integer) a.get("mode")) != null) {
          entries.add(entry(root, file, a));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // gone while the tree was listed (it may be in use): not there to copy
        }
        throw e;
      }
    });
    entries.sort(Comparator.comparing((TreeEntry e) -> !e.path().equals(".")).thenComparing(TreeEntry::path));
    return entries;
  }

  /** The tree's relative, '/'-separated name of {@code p}. */
  static String relative(Path root, Path p) {
    return p.equals(root) ? "." : root.relativize(p).toString();
  }

  private static TreeEntry entry(Path root, Path p, Map<String, Object> a) throws IOException {
    int mode = (Integer) a.get("mode");
    TreeEntry.Type type = type(mode);
    long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.MICROSECONDS);
    return new TreeEntry(relative(root, p), type, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"), mtime,
        type == TreeEntry.Type.FILE ? (Long) a.get("size") : 0,
        type == TreeEntry.Type.SYMLINK ? Files.readSymbolicLink(p).toString() : null,
        type == TreeEntry.Type.CHAR_DEVICE || type == TreeEntry.Type.BLOCK_DEVICE ? (Long) a.get("rdev") : 0);
  }

  /** The type of a {@code st_mode}, or null for a socket. */
  static TreeEntry.Type type(int mode) {
    return switch (mode & S_IFMT) {
      case 0040000 -> TreeEntry.Type.DIRECTORY;
      case 0100000 -> TreeEntry.Type.FILE;
      case 0120000 -> TreeEntry.Type.SYMLINK;
      case 0020000 -> TreeEntry.Type.CHAR_DEVICE;
      case 0060000 -> TreeEntry.Type.BLOCK_DEVICE;
      case 0010000 -> TreeEntry.Type.FIFO;
      default -> null;
    };
  }
}
