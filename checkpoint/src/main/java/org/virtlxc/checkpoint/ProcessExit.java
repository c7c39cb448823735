package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits for a process that is not this JVM's child (a domain's controller, which libvirtd daemonized) to end. It
 * has ended once it is gone or a zombie: its parent (after libvirtd's double fork, the host's init) may reap it
 * much later, and {@link ProcessHandle#onExit()} waits for that reaping (1.5 s and more on some hosts).
 */
final class ProcessExit {
  private static final long POLL_MILLIS = 20;

  private ProcessExit() {}

  /** True once {@code pid} has ended (gone, a zombie, or another process by now); false after {@code timeout}. */
  static boolean await(long pid, Duration timeout) throws InterruptedException {
    Optional<String> start = startTime(pid);
    if (start.isEmpty()) {
      return true;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!hasEnded(pid, start.get())) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(POLL_MILLIS);
    }
    return true;
  }

  /** Whether {@code pid} names a process that has not ended: it exists and is not a zombie. */
  static boolean isRunning(long pid) {
    return statFields(pid).map(f -> !f[0].equals("Z") && !f[0].equals("X")).orElse(false);
  }

  /** Whether the process {@code pid} that started at {@code startTime} (clock ticks after boot) has ended. */
  static boolean hasEnded(long pid, String startTime) {
    Optional<String[]> f = statFields(pid);
    if (f.isEmpty()) {
      return true;
    }
    String state = f.get()[0];
    return state.equals("Z") || state.equals("X") || !f.get()[19].equals(startTime);
  }

  /** The start time of {@code pid} (field 22 of {@code /proc/PID/stat}), empty if there is no such process. */
  static Optional<String> startTime(long pid) {
    return statFields(pid).map(f -> f[19]);
  }

  /** The fields of {@code /proc/PID/stat} after the command name: state first. */
  private static Optional<String[]> statFields(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return Optional.empty();
    }
    int close = stat.lastIndexOf(')');
    String[] f = close < 0 ? new String[0] : stat.substring(close + 1).strip().split(" ");
    return f.length < 20 ? Optional.empty() : Optional.of(f);
  }
}
