package org.virtlxc.driver;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * This process's open fds, to catch leaks (in the spirit of okio's {@code checkNoOpenFiles()}).
 * Jars the JVM opens lazily while loading classes are not leaks and are ignored.
 */
public final class OpenFds {
  private OpenFds() {}

  /** fd number → what it points at, without the JVM's jar files. */
  public static Map<Integer, String> snapshot() {
    Map<Integer, String> fds = new TreeMap<>();
    try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) list::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          // the directory stream's own fd reads as /proc/PID/fd and may get another number in the next snapshot
          if (!target.endsWith(".jar") && !target.equals("/proc/" + ProcessHandle.current().pid() + "/fd")) {
            fds.put(Integer.parseInt(fd.getFileName().toString()), target);
          }
        } catch (IOException closedMeanwhile) {
          // the directory stream's own fd, or one closed while listing
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fds;
  }

  /**
   * Fails if fds open now that were not open in {@code before} stay open; waits up to one second
   * for fds that other threads are still closing.
   */
  public static void assertNoneLeaked(Map<Integer, String> before) throws InterruptedException {
    Map<Integer, String> leaked = Map.of();
    for (int i = 0; i < 20; i++) {
      leaked = new TreeMap<>(snapshot());
      leaked.keySet().removeAll(before.keySet());
      if (leaked.isEmpty()) {
        return;
      }
      Thread.sleep(50);
    }
    fail("fds left open by the test: " + leaked);
  }
}
