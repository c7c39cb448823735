package org.virtlxc.nssetup;

/** A domain cannot be turned into a launch plan; the message says which element and why. */
public final class LaunchPlanException extends Exception {
  private static final long serialVersionUID = 1L;

  public LaunchPlanException(String message) {
    super(message);
  }

  public LaunchPlanException(String message, Throwable cause) {
    super(message, cause);
  }
}
