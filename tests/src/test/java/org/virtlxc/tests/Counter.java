package org.virtlxc.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntPredicate;

/**
 * The shell counter most tests run as a domain's init: it counts once a second into {@code /tmp/counter}. Each value
 * is written to a new file that is then renamed over the counter, so a reader (or a save that freezes the shell) never
 * finds the file empty between a truncation and a write.
 */
final class Counter {
  /** The loop, counting into /tmp/counter. */
  static final String LOOP = loop();

  private Counter() {}

  /** The loop, running {@code alsoEachTick} (shell, may use {@code $i}) after each count. */
  static String loop(String alsoEachTick) {
    return "i=0; while :; do i=$((i+1)); echo $i > /tmp/counter.new; mv /tmp/counter.new /tmp/counter; "
        + alsoEachTick + "; sleep 1; done";
  }

  private static String loop() {
    return "i=0; while :; do i=$((i+1)); echo $i > /tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 1; done";
  }

  /** The count in {@code rootfs/tmp/counter}, 0 before the first count. */
  static int current(Path rootfs) throws IOException {
    return Files.exists(rootfs.resolve("tmp/counter")) ? read(rootfs) : 0;
  }

  /** The count once it exceeds {@code than}; fails after {@code timeout}. */
  static int awaitAbove(Path rootfs, int than, Duration timeout) throws IOException, InterruptedException {
    return await(rootfs, c -> c > than, "exceed " + than, timeout);
  }

  /** The count once it is above 0 and below {@code than} (the loop started again); fails after {@code timeout}. */
  static int awaitBelow(Path rootfs, int than, Duration timeout) throws IOException, InterruptedException {
    return await(rootfs, c -> c > 0 && c < than, "start again below " + than, timeout);
  }

  private static int await(Path rootfs, IntPredicate wanted, String what, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      int c = current(rootfs);
      if (wanted.test(c)) {
        return c;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the counter in " + rootfs + " did not " + what + " within " + timeout.toSeconds()
            + " s (at " + c + ")");
      }
      Thread.sleep(100);
    }
  }

  /** The count in {@code rootfs/tmp/counter}. */
  static int read(Path rootfs) throws IOException {
    Path file = rootfs.resolve("tmp/counter");
    String s = Files.readString(file).strip();
    if (!s.matches("\\d+")) {
      throw new AssertionError(file + " holds no count: '" + s + "'");
    }
    return Integer.parseInt(s);
  }
}
