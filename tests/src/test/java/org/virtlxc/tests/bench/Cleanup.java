package org.virtlxc.tests.bench;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the benchmark must undo, run last-registered first, once: at the end of the run, on failure, or from a
 * shutdown hook (Ctrl-C). Each action's failure is printed and the next one still runs.
 */
final class Cleanup {
  /** One undo step. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  private final Deque<Named> actions = new ArrayDeque<>();

  private record Named(String what, Action action) {}

  Cleanup() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::runAll, "vlxct-bench5-cleanup"));
  }

  synchronized void add(String what, Action action) {
    actions.push(new Named(what, action));
  }

  synchronized void runAll() {
    while (!actions.isEmpty()) {
      Named n = actions.pop();
      try {
        n.action().run();
      } catch (Exception | AssertionError e) {
        System.err.println("cleanup: unable to " + n.what() + ": " + e);
      }
    }
  }
}
