package org.virtlxc.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.cgroups.CgroupLayout;
import org.virtlxc.cgroups.MachineCgroup;

/**
 * Machine cgroups that earlier controllers of the same domain left behind. libvirtd destroys a <em>paused</em> domain
 * by sending SIGKILL to every task of the machine cgroup (controller included), thawing it and removing the directories
 * without waiting for the tasks to be gone, so some directories stay, empty (stock libvirt_lxc leaves them the same
 * way). The killed controller cannot clean up; the domain's next controller does: it removes every
 * {@code <partition>/lxc-<pid>-<name>.libvirt-lxc} of its own domain whose controller pid no longer runs (gone or a
 * zombie) and which has no tasks. Nothing else is touched.
 */
final class LeftoverCgroups {
  private static final Logger LOG = LogManager.getLogger(LeftoverCgroups.class);
  private static final Pattern MACHINE_DIR = Pattern.compile("lxc-(\\d+)-.*\\.libvirt-lxc");

  private LeftoverCgroups() {}

  /** Removes the leftovers of domain {@code domainName} in every hierarchy of {@code layout}; failures are logged. */
  static List<Path> remove(CgroupLayout layout, MachineCgroup own, String domainName) {
    List<Path> roots = new ArrayList<>(layout.v1Hierarchies());
    if (layout.v2Mount() != null) {
      roots.add(layout.v2Mount());
    }
    return remove(roots, own, domainName, LeftoverCgroups::running);
  }

  /**
   * Whether {@code pid} exists and is not a zombie: a killed controller stays a zombie until the host's pid 1 reaps it,
   * which can take seconds here.
   */
  static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Removes, under each of {@code hierarchyRoots}, the machine directories of {@code domainName} in {@code own}'s
   * partition other than {@code own}, whose controller pid is not {@code alive} and which have no tasks.
   *
   * @return the directories removed
   */
  static List<Path> remove(List<Path> hierarchyRoots, MachineCgroup own, String domainName, LongPredicate alive) {
    List<Path> removed = new ArrayList<>();
    for (Path root : hierarchyRoots) {
      Path partition = root.resolve(own.path().substring(1)).getParent();
      if (!Files.isDirectory(partition)) {
        continue;
      }
      List<Path> candidates;
      try (Stream<Path> s = Files.list(partition)) {
        candidates = s.filter(Files::isDirectory).toList();
      } catch (IOException e) {
        LOG.warn("unable to list cgroup partition {}: {}", partition, e.getMessage());
        continue;
      }
      for (Path dir : candidates) {
        String name = dir.getFileName().toString();
        Matcher m = MACHINE_DIR.matcher(name);
        if (!m.matches() || name.equals(own.dirName())) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          continue;
        }
        if (!name.equals(MachineCgroup.machineName(pid, domainName) + ".libvirt-lxc") || alive.test(pid)
            || hasTasks(dir)) {
          continue;
        }
        try {
          Files.delete(dir); // rmdir(2): the control files do not count
          removed.add(dir);
          LOG.info("removed cgroup {} left by an earlier controller of {}", dir, domainName);
        } catch (IOException e) {
          LOG.warn("unable to remove leftover cgroup {}: {}", dir, e.getMessage());
        }
      }
    }
    return removed;
  }

  private static boolean hasTasks(Path dir) {
    try {
      return !Files.readString(dir.resolve("cgroup.procs")).isBlank();
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
