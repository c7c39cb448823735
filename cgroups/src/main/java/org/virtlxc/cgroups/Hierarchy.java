package org.virtlxc.cgroups;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** A domain's directory chain in one hierarchy: root, partition levels, leaf. Remembers what it created. */
final class Hierarchy {
  private static final Logger LOG = LogManager.getLogger(Hierarchy.class);
  private static final long REMOVE_RETRY_MS = 2000;

  /** Called for each directory level before its child is created (parent) or right after mkdir (child). */
  interface LevelHook {
    void run(CgroupDir parent, CgroupDir child) throws CgroupException;
  }

  private final Path root;
  private final MachineCgroup cgroup;
  private final List<Path> created = new ArrayList<>();

  Hierarchy(Path root, MachineCgroup cgroup) {
    this.root = root;
    this.cgroup = cgroup;
  }

  Path root() {
    return root;
  }

  CgroupDir leaf() {
    return new CgroupDir(root.resolve(cgroup.path().substring(1)));
  }

  /** Creates missing levels top-down; {@code beforeChild} runs on each parent, {@code afterCreate} on new dirs. */
  void create(LevelHook beforeChild, LevelHook afterCreate) throws CgroupException {
    List<String> names = new ArrayList<>(cgroup.partitionComponents());
    names.add(cgroup.dirName());
    CgroupDir parent = new CgroupDir(root);
    for (String name : names) {
      CgroupDir child = parent.child(name);
      beforeChild.run(parent, child);
      if (!Files.isDirectory(child.path())) {
        try {
          Files.createDirectory(child.path());
        } catch (IOException e) {
          throw new CgroupException(CgroupException.Code.SYSTEM,
              "unable to create cgroup " + child.path() + ": " + CgroupDir.describe(e), e);
        }
        created.add(child.path());
        LOG.debug("created cgroup {}", child.path());
        afterCreate.run(parent, child);
      } else if (name.equals(cgroup.dirName()) && !created.contains(child.path())) {
        created.add(child.path());   // a stale directory of this very machine name is ours to remove
      }
      parent = child;
    }
  }

  /** Removes the leaf, then partition levels this object created, if they have no sub-cgroups. */
  void destroy() throws CgroupException {
    Path leaf = leaf().path();
    remove(leaf, true);
    for (int i = created.size() - 1; i >= 0; i--) {
      Path p = created.get(i);
      if (!p.equals(leaf) && Files.isDirectory(p) && !hasSubdirectories(p)) {
        remove(p, false);
      }
    }
    created.clear();
  }

  private void remove(Path dir, boolean required) throws CgroupException {
    if (!dir.startsWith(root) || dir.equals(root)) {
      throw new IllegalStateException("refusing to remove " + dir + " outside " + root);
    }
    long deadline = System.nanoTime() + REMOVE_RETRY_MS * 1_000_000;
    while (true) {
      try {
        Files.delete(dir);   // rmdir(2): cgroupfs control files do not count as content
        LOG.debug("removed cgroup {}", dir);
        return;
      } catch (NoSuchFileException e) {
        return;
      } catch (FileSystemException e) {
        // EBUSY while the last tasks are still exiting
        if (System.nanoTime() > deadline) {
          if (!required) {
            LOG.warn("leaving partition cgroup {}: {}", dir, CgroupDir.describe(e));
            return;
          }
          throw new CgroupException(CgroupException.Code.SYSTEM, "unable to remove cgroup " + dir + ": "
              + CgroupDir.describe(e) + " (tasks or sub-cgroups still inside?)", e);
        }
        sleep(20);
      } catch (IOException e) {
        throw new CgroupException(CgroupException.Code.SYSTEM,
            "unable to remove cgroup " + dir + ": " + CgroupDir.describe(e), e);
      }
    }
  }

  private static boolean hasSubdirectories(Path p) throws CgroupException {
    try (Stream<Path> s = Files.list(p)) {
      return s.anyMatch(Files::isDirectory);
    } catch (IOException e) {
      throw new CgroupException(CgroupException.Code.SYSTEM, "unable to list cgroup " + p + ": " + e.getMessage(), e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
