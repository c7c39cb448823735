package org.virtlxc.nssetup;

import java.io.IOException;

/** The container init could not be started; the message is the helper's own line when it sent one. */
public final class LaunchException extends IOException {
  private static final long serialVersionUID = 1L;

  public LaunchException(String message) {
    super(message);
  }

  public LaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
