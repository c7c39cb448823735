package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What an aborted dump must remove: the image directory if the dump created it, else the entries it added there.
 */
final class DumpLeftovers {
  private static final Logger LOG = LogManager.getLogger(DumpLeftovers.class);

  private final Path dir;
  private final boolean existed;
  private final Set<Path> before;

  private DumpLeftovers(Path dir, boolean existed, Set<Path> before) {
    this.dir = dir;
    this.existed = existed;
    this.before = before;
  }

  /** Notes what {@code dir} holds before the dump. */
  static DumpLeftovers before(Path dir) {
    Set<Path> entries = new HashSet<>();
    boolean existed = Files.isDirectory(dir);
    if (existed) {
      try (Stream<Path> s = Files.list(dir)) {
        s.forEach(entries::add);
      } catch (IOException e) {
        LOG.warn("unable to list {}: {}", dir, e.getMessage());
      }
    }
    return new DumpLeftovers(dir, existed, entries);
  }

  /** Removes what the dump added (best effort; what cannot be removed is logged). */
  void remove() {
    List<Path> added;
    try (Stream<Path> s = Files.list(dir)) {
      added = s.filter(p -> !before.contains(p)).toList();
    } catch (IOException e) {
      LOG.warn("unable to list {} to clean up: {}", dir, e.getMessage());
      return;
    }
    for (Path p : added) {
      deleteTree(p);
    }
    if (!existed) {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("unable to remove {} after an aborted dump: {}", root, e.getMessage());
    }
  }
}
