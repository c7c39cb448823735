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
 * @param leaveStopped leave the dumped tree stopped (SIGSTOP, CRIU {@code --leave-stopped}) instead of killing it:
 *     nothing runs after the dump, and the caller either kills it once the checkpoint is safe or resumes it (see
 *     {@link StoppedTree}); ignored with {@code leaveRunning}
 */
public record DumpOptions(boolean leaveRunning, Duration timeout, List<String> extraCriuArgs, boolean leaveStopped) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  public DumpOptions {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("dump timeout must be positive, not " + timeout);
    }
    extraCriuArgs = List.copyOf(extraCriuArgs);
  }

  public DumpOptions(boolean leaveRunning, Duration timeout, List<String> extraCriuArgs) {
    this(leaveRunning, timeout, extraCriuArgs, false);
  }

  /** Stop the domain after the dump, default timeout, no extra options. */
  public static DumpOptions stop() {
    return new DumpOptions(false, DEFAULT_TIMEOUT, List.of());
  }

  /** Keep the domain running after the dump, default timeout, no extra options. */
  public static DumpOptions leaveRunningAfterDump() {
    return new DumpOptions(true, DEFAULT_TIMEOUT, List.of());
  }

  /** Leave the dumped tree stopped (neither killed nor running), default timeout, no extra options. */
  public static DumpOptions leaveStoppedAfterDump() {
    return new DumpOptions(false, DEFAULT_TIMEOUT, List.of(), true);
  }

  public DumpOptions withExtraCriuArgs(List<String> args) {
    return new DumpOptions(leaveRunning, timeout, args, leaveStopped);
  }

  public DumpOptions withTimeout(Duration t) {
    return new DumpOptions(leaveRunning, t, extraCriuArgs, leaveStopped);
  }

  /** Whether the tree is still there after the dump (running or stopped): the controller does not end. */
  boolean keepsTree() {
    return leaveRunning || leaveStopped;
  }
}
