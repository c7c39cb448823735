package org.virtlxc.driver.net;

/** An {@code <interface>} cannot be set up as configured; the message is one line naming the interface and value. */
public class NetworkConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public NetworkConfigException(String message) {
    super(message);
  }

  public NetworkConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
