package org.virtlxc.driver;

/**
 * Overlaps a slow, independent part of the controller's start with the rest of it: loading the native bindings (JNA's
 * dispatch library and the libc binding) runs on a short-lived thread while main sets up logging, parses its
 * arguments and reads the status file. Main then finds the binding loaded, or waits for it (class initialisation is
 * locked), so nothing changes but the time. A failure is left for main to meet where it always did.
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
    }, "warm-up");
    t.setDaemon(true);
    t.start();
  }
}
