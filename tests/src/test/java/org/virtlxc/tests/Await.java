package org.virtlxc.tests;

import java.nio.file.NoSuchFileException;
import java.time.Duration;

/** Polling for a condition in tests: every 100 ms until it holds, an AssertionError naming it after the timeout. */
final class Await {
  /** A check that may read files a workload has not created yet. */
  @FunctionalInterface
  interface Condition {
    boolean met() throws Exception;
  }

  private Await() {}

  /** Waits until {@code c} holds; a file it reads that does not exist yet counts as "not yet". */
  static void until(Condition c, String what, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!metYet(c)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }

  private static boolean metYet(Condition c) throws Exception {
    try {
      return c.met();
    } catch (NoSuchFileException e) {
      return false;
    }
  }
}
