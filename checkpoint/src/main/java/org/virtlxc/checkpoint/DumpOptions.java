package org.virtlxc.checkpoint;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to dump a domain.
 *
 * @param leaveRunning keep the domain running after the dump (a live checkpoint) instead of stopping it
 * @param timeout how long CRIU may take before it is killed (the domain then keeps running)
 * @param extraCriuArgs further CRIU options, appended last (e.g. {@code --action-script}); empty normally
 */
public record DumpOptions(boolean leaveRunning, Duration timeout, List<String> extraCriuArgs) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  public DumpOptions {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("dump timeout must be positive, not " + timeout);
    }
    extraCriuArgs = List.copyOf(extraCriuArgs);
  }

  /** Stop the domain after the dump, default timeout, no extra options. */
  public static DumpOptions stop() {
    return new DumpOptions(false, DEFAULT_TIMEOUT, List.of());
  }

  /** Keep the domain running after the dump, default timeout, no extra options. */
  public static DumpOptions leaveRunningAfterDump() {
    return new DumpOptions(true, DEFAULT_TIMEOUT, List.of());
  }

  public DumpOptions withExtraCriuArgs(List<String> args) {
    return new DumpOptions(leaveRunning, timeout, args);
  }
}
