package org.virtlxc.driver.handshake;

import java.io.IOException;

/** The start-up handshake with libvirtd failed: libvirtd went away, sent garbage, or did not answer in time. */
public class HandshakeException extends IOException {
  public HandshakeException(String message) {
    super(message);
  }

  public HandshakeException(String message, Throwable cause) {
    super(message, cause);
  }
}
