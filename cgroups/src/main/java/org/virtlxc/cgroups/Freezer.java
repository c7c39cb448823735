package org.virtlxc.cgroups;

import java.time.Duration;

/** Bounded waits for freezer states, shared by both backends. */
final class Freezer {
  interface State {
    boolean reached() throws CgroupException;
  }

  private Freezer() {}

  /** Polls {@code state} every 10 ms until it holds or {@code timeout} passes. */
  static boolean await(Duration timeout, State state) throws CgroupException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!state.reached()) {
      if (System.nanoTime() > deadline) {
        return state.reached();
      }
      Hierarchy.sleep(10);
      if (Thread.currentThread().isInterrupted()) {
        return state.reached();
      }
    }
    return true;
  }
}
