package org.virtlxc.checkpoint.migrate.storage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What makes a destination tree equal to a source tree: the paths to delete there first (each one's whole subtree
 * goes), then the entries to send (new ones, and ones whose type, size, modification time, mode, owner, link target or
 * device differ).
 *
 * @param delete destination paths to remove, no one inside another
 * @param send   source entries to write, parents before children
 */
public record TreeDiff(List<String> delete, List<TreeEntry> send) {
  public TreeDiff {
    delete = List.copyOf(delete);
    send = List.copyOf(send);
  }

  /** The difference between {@code source} and {@code destination}, both as {@link TreeListing#of} lists them. */
  public static TreeDiff between(List<TreeEntry> source, List<TreeEntry> destination) {
    Map<String, TreeEntry> there = new HashMap<>();
    destination.forEach(e -> there.put(e.path(), e));
    Map<String, TreeEntry> here = new HashMap<>();
    source.forEach(e -> here.put(e.path(), e));

    List<String> delete = new ArrayList<>();
    for (TreeEntry d : destination) {
      TreeEntry s = here.get(d.path());
      if (!d.path().equals(".") && (s == null || s.type() != d.type()) && !insideAny(d.path(), delete)) {
        delete.add(d.path());
      }
    }
    List<TreeEntry> send = new ArrayList<>();
    for (TreeEntry s : source) {
      TreeEntry d = there.get(s.path());
      if (d == null || d.differsFrom(s) || insideAny(s.path(), delete)) {
        send.add(s);
      }
    }
    return new TreeDiff(delete, send);
  }

  /** Bytes of file content to send. */
  public long bytes() {
    return send.stream().mapToLong(TreeEntry::size).sum();
  }

  public boolean isEmpty() {
    return delete.isEmpty() && send.isEmpty();
  }

  private static boolean insideAny(String path, List<String> dirs) {
    for (String d : dirs) {
      if (path.startsWith(d + "/")) {
        return true;
      }
    }
    return false;
  }
}
