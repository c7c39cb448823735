package org.virtlxc.driver;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;

/**
 * Overlaps slow, independent parts of the controller's start with the rest of it: on a short-lived thread, loading the
 * native bindings (JNA's dispatch library and the libc binding) and initialising the JDK's Unix-domain sockets (whose
 * random temporary names bring up the security providers), while main sets up logging, parses its arguments and reads
 * the status file. Main then finds them ready, or waits for them (class initialisation is locked), so nothing changes
 * but the time. A failure is left for main to meet where it always did.
 */
final class StartupWarmUp {
  private static final String NATIVE = "org.virtlxc.nssetup.Libc";

  private StartupWarmUp() {}

  static void begin() {
    Thread t = new Thread(() -> {
      try {
        Class.forName(NATIVE, true, StartupWarmUp.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        // main reports it when it first calls libc, with its own context
      }
      try {
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).close(); // unbound: nothing on disk
      } catch (IOException | RuntimeException e) {
        // main reports it when it creates the monitor socket
      }
    }, "warm-up");
    t.setDaemon(true);
    t.start();
  }
}
