package org.virtlxc.checkpoint;

/** A dump, restore preparation or restore that did not happen; the message names the domain, the path and the cause. */
public class CheckpointException extends Exception {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
