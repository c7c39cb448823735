package org.virtlxc.tests.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Processes, memory and files on this host, as the benchmark needs them. */
final class Host {
  private Host() {}

  /** Runs {@code cmd} with extra environment, output into {@code log}; its exit status. */
  static int run(List<String> cmd, Map<String, String> env, Path log) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish in 10 minutes (log " + log + ")");
    }
    return p.exitValue();
  }

  /** Runs {@code cmd} and fails, naming it and its log's tail, unless it exits 0. */
  static void runOk(List<String> cmd, Map<String, String> env, Path log) throws IOException, InterruptedException {
    int rc = run(cmd, env, log);
    if (rc != 0) {
      throw new IOException(String.join(" ", cmd) + " failed with status " + rc + ":\n" + tail(log));
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log " + log + ")";
    }
  }

  /** Resident memory of {@code pid} in KiB, or -1 if it is gone. */
  static long rssKib(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
      return 0;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Waits until {@code pid} has {@code mib} MiB resident (its memory filled). */
  static void awaitResident(long pid, int mib, String what) throws InterruptedException {
    long want = mib * 1024L;
    long rss = 0;
    for (int i = 0; i < 1200; i++) {
      rss = rssKib(pid);
      if (rss < 0) {
        throw new IllegalStateException(what + " (pid " + pid + ") ended before filling its memory");
      }
      if (rss >= want) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(what + " (pid " + pid + ") has only " + rss + " KiB resident after 60 s");
  }

  /** The only child of {@code parent}, waiting up to 5 s for it. */
  static long onlyChild(long parent) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      List<Long> c = ProcessHandle.of(parent).map(p -> p.children().map(ProcessHandle::pid).toList())
          .orElse(List.of());
      if (c.size() == 1) {
        return c.get(0);
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("process " + parent + " has no single child");
  }

  static void kill(long pid) throws IOException, InterruptedException {
    if (ProcessHandle.of(pid).isPresent()) {
      new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
    }
  }

  static long sizeOf(Path file) throws IOException {
    return Files.size(file);
  }

  static long treeSize(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
