package org.virtlxc.cli;

import org.virtlxc.checkpoint.image.RunState;
import picocli.CommandLine.Option;

/** virsh's exclusive {@code --running} / {@code --paused}. */
final class RunStateFlags {
  @Option(names = "--running", description = "restore the domain into the running state")
  boolean running;

  @Option(names = "--paused", description = "restore the domain into the paused state")
  boolean paused;

  /** The state asked for, or {@code otherwise} when neither flag was given. */
  RunState orElse(RunState otherwise) {
    return paused ? RunState.PAUSED : running ? RunState.RUNNING : otherwise;
  }
}
