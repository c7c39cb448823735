package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The trees a storage copy writes on the destination, as they were before it: {@link #undo()} removes those it
 * created and empties those that were empty, so that a failed migration leaves nothing behind. A tree that had
 * content (an older copy that {@link StorageCopy#INCREMENTAL} updates) stays as the copy left it.
 */
final class CopiedTrees {
  private static final Logger LOG = LogManager.getLogger(CopiedTrees.class);

  private final List<Path> created = new ArrayList<>();
  private final List<Path> wereEmpty = new ArrayList<>();

  private CopiedTrees() {}

  static CopiedTrees before(List<String> trees) {
    CopiedTrees t = new CopiedTrees();
    for (String s : trees) {
      Path p = Path.of(s);
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        t.created.add(p);
      } else if (!IncomingMigration.hasContent(s)) {
        t.wereEmpty.add(p);
      }
    }
    return t;
  }

  /** Removes what the copy wrote into trees that did not exist or were empty. Logs, never throws. */
  void undo() {
    for (Path p : created) {
      delete(p, true);
    }
    for (Path p : wereEmpty) {
      delete(p, false);
    }
  }

  private static void delete(Path tree, boolean withRoot) {
    if (!Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(tree)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        if (withRoot || !p.equals(tree)) {
          Files.deleteIfExists(p);
        }
      }
      LOG.info("removed the storage copy in {}", tree);
    } catch (IOException e) {
      LOG.error("unable to remove the storage copy in {}: {}", tree, e.getMessage());
    }
  }
}
