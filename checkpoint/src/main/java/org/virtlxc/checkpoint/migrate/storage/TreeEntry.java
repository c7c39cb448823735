package org.virtlxc.checkpoint.migrate.storage;

import java.util.Objects;

/**
 * One file of a directory tree as a storage copy compares it: its path relative to the tree's root ({@code "."} for
 * the root itself, '/'-separated), its type and the metadata the copy keeps.
 *
 * @param path         relative path, never absolute, never with {@code ..}
 * @param type         what it is
 * @param mode         permission bits with setuid, setgid and sticky ({@code st_mode & 07777})
 * @param uid          owner
 * @param gid          group
 * @param mtimeMicros  modification time, microseconds since the epoch
 * @param size         bytes of a regular file, else 0
 * @param linkTarget   a symbolic link's target, else null
 * @param rdev         a device's number ({@code st_rdev}), else 0
 */
public record TreeEntry(String path, Type type, int mode, int uid, int gid, long mtimeMicros, long size,
                        String linkTarget, long rdev) {
  /** The kinds of file a copy carries. Sockets are not copied: the program that made one makes it again. */
  public enum Type { DIRECTORY, FILE, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO }

  public TreeEntry {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(type, "type");
    checkRelative(path);
    if (type == Type.SYMLINK) {
      Objects.requireNonNull(linkTarget, "linkTarget of a symbolic link");
    }
  }

  /** Whether a copy of this entry at the destination needs rewriting to equal {@code source}. */
  boolean differsFrom(TreeEntry source) {
    if (type != source.type || uid != source.uid || gid != source.gid) {
      return true;
    }
    return switch (type) {
      case DIRECTORY -> mode != source.mode || mtimeMicros != source.mtimeMicros;
      case FILE -> mode != source.mode || mtimeMicros != source.mtimeMicros || size != source.size;
      case SYMLINK -> !linkTarget.equals(source.linkTarget);
      case CHAR_DEVICE, BLOCK_DEVICE -> mode != source.mode || rdev != source.rdev;
      case FIFO -> mode != source.mode;
    };
  }

  /** Refuses a path that is absolute, empty or climbs out of the tree. */
  static void checkRelative(String path) {
    if (path.equals(".")) {
      return;
    }
    if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalArgumentException("not a relative path in a tree: '" + path + "'");
    }
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("not a relative path in a tree: '" + path + "'");
      }
    }
  }
}
