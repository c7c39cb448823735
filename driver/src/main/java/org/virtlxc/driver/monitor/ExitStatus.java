package org.virtlxc.driver.monitor;

/** {@code virLXCMonitorExitStatus}: why the container's init went away. */
public enum ExitStatus {
  /** Never sent by libvirt_lxc's own code path; libvirtd records the domain as failed. */
  ERROR(0),
  /** Init exited (not by SIGHUP): libvirtd records a shutdown. */
  SHUTDOWN(1),
  /** Init was killed by SIGHUP (reboot() in a pid namespace): libvirtd starts the domain again. */
  REBOOT(2);

  private final int wire;

  ExitStatus(int wire) {
    this.wire = wire;
  }

  private static final int SIGHUP = 1;

  /**
   * What libvirt_lxc reports when the container's init has ended ({@code virLXCControllerSignalChildIO}): REBOOT if
   * SIGHUP killed it, which is what the kernel does to a pid namespace's init after {@code reboot(RB_AUTOBOOT)} inside
   * it; SHUTDOWN for any exit code and any other signal (SIGINT after a halt or power-off {@code reboot(2)}, SIGKILL).
   * ERROR is never the answer.
   *
   * @param signal the signal that killed init, or 0 if it exited
   */
  public static ExitStatus ofInitEnd(int signal) {
    return signal == SIGHUP ? REBOOT : SHUTDOWN;
  }

  /** The XDR enum value. */
  public int wire() {
    return wire;
  }

  /** The status for an XDR enum value. */
  public static ExitStatus fromWire(int value) throws MonitorProtocolException {
    for (ExitStatus s : values()) {
      if (s.wire == value) {
        return s;
      }
    }
    throw new MonitorProtocolException("unknown exit status " + value);
  }
}
