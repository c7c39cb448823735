package org.virtlxc.driver;

import java.io.PrintStream;

/**
 * The one line libvirtd shows when {@code virsh start} fails. libvirtd reports the tail of the domain log minus lines in
 * libvirt's log format (reference §1.4), so this line is plain text, like libvirt_lxc's
 * {@code Failure in libvirt_lxc startup: MSG}.
 */
public final class StartupFailure {
  public static final String PREFIX = "Failure in virt-lxc startup: ";

  private StartupFailure() {}

  /** Prints the failure line to {@link System#err}. */
  public static void report(String message) {
    report(System.err, message);
  }

  /** Prints {@code Failure in virt-lxc startup: MSG} as one line (line breaks in MSG become spaces) and flushes. */
  public static void report(PrintStream err, String message) {
    err.print(line(message) + "\n");
    err.flush();
  }

  /** The failure line, without the newline. */
  public static String line(String message) {
    String msg = message == null || message.isBlank() ? "unknown error" : message.strip();
    return PREFIX + msg.replaceAll("[\\r\\n]+", " ");
  }
}
