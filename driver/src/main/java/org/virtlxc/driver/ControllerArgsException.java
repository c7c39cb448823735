package org.virtlxc.driver;

/** The controller's command line is unusable; the message is one line, fit for {@link StartupFailure#report}. */
public class ControllerArgsException extends Exception {
  public ControllerArgsException(String message) {
    super(message);
  }
}
