package org.virtlxc.driver.monitor;

import java.io.IOException;

/** A monitor message broke libvirt's framing or the LXC monitor program's rules. */
public class MonitorProtocolException extends IOException {
  public MonitorProtocolException(String message) {
    super(message);
  }
}
