package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a domain's controller may leave on the host after its domain stopped or failed to start: cgroup directories
 * in any hierarchy, mounts (in this mount namespace and in libvirtd's private one), processes (by command line or by
 * a root directory inside the domain's work directory) and the monitor socket. Zombies count as gone: this machine's
 * pid 1 reaps late.
 */
final class Leftovers {
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final Path STATE_DIR = Path.of("/run/libvirt/lxc");

  private Leftovers() {}

  /**
   * Fails unless nothing of domain {@code name} (work directory {@code work}) is left, polling for up to {@code wait}.
   * {@code cgroupFragments} are further directory-name fragments to look for (a partition's).
   */
  static void assertNone(String name, Path work, Duration wait, String... cgroupFragments) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    List<String> found = find(name, work, cgroupFragments);
    while (!found.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      found = find(name, work, cgroupFragments);
    }
    assertEquals(List.of(), found, "left behind by " + name);
  }

  /** One line per leftover. */
  static List<String> find(String name, Path work, String... cgroupFragments) throws IOException {
    List<String> found = new ArrayList<>();
    List<String> fragments = new ArrayList<>(List.of(name));
    fragments.addAll(List.of(cgroupFragments));
    for (Path dir : cgroupDirs(fragments)) {
      found.add("cgroup " + dir);
    }
    String workPath = work.toString();
    for (String mountinfo : mountinfos()) {
      for (String line : Files.readAllLines(Path.of(mountinfo))) {
        if (line.contains(workPath) || line.contains(name)) {
          found.add("mount in " + mountinfo + ": " + line);
        }
      }
    }
    ProcessHandle.allProcesses().forEach(p -> {
      if (isZombie(p.pid())) {
        return;
      }
      String cmd = p.info().commandLine().orElse("");
      if (cmd.contains(name)) {
        found.add("process " + p.pid() + ": " + cmd);
      } else if (rootIn(p.pid(), work)) {
        found.add("process " + p.pid() + " rooted in " + work + ": " + cmd);
      }
    });
    Path socket = STATE_DIR.resolve(name + ".sock");
    if (Files.exists(socket)) {
      found.add("socket " + socket);
    }
    return found;
  }

  /** Directories whose name contains one of {@code fragments}, in every hierarchy, up to 5 levels down. */
  static List<Path> cgroupDirs(List<String> fragments) throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
      for (Path h : hierarchies.toList()) {
        if (!Files.isDirectory(h) || Files.isSymbolicLink(h)) {
          continue;
        }
        for (int attempt = 1; ; attempt++) {
          try (Stream<Path> s = Files.walk(h, 5)) {
            s.filter(Files::isDirectory)
                .filter(p -> fragments.stream().anyMatch(f -> p.getFileName().toString().contains(f)))
                .forEach(found::add);
            break;
          } catch (java.io.UncheckedIOException e) { // a directory removed during the walk (another domain's)
            found.removeIf(p -> p.startsWith(h));
            if (attempt == 3) {
              throw e;
            }
          }
        }
      }
    }
    return found;
  }

  /** This process's mountinfo and libvirtd's (it runs in a private mount namespace here). */
  private static List<String> mountinfos() {
    List<String> files = new ArrayList<>(List.of("/proc/self/mountinfo"));
    ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/libvirtd")).orElse(false))
        .forEach(p -> files.add("/proc/" + p.pid() + "/mountinfo"));
    return files.stream().filter(f -> Files.isReadable(Path.of(f))).toList();
  }

  private static boolean rootIn(long pid, Path work) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")).startsWith(work);
    } catch (IOException | UnsupportedOperationException e) {
      return false;   // gone, or a kernel thread
    }
  }

  static boolean isZombie(long pid) {
    try {
      String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;   // gone
    }
  }
}
