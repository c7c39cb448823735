package org.virtlxc.driver;

/**
 * Overlaps the slowest part of the controller's start with the rest of it: building the domain XML model's JAXB
 * context (about half of the JVM's time before the handshake) runs on a short-lived thread while main sets up logging,
 * parses its arguments and loads the native bindings. Main then finds the context built, or waits for it (class
 * initialisation is locked), so nothing changes but the time. A failure is left for main to meet where it always did.
 */
final class StartupWarmUp {
  private static final String MODEL = "org.virtlxc.domainxml.DomainXml";

  private StartupWarmUp() {}

  static void begin() {
    Thread t = new Thread(() -> {
      try {
        Class.forName(MODEL, true, StartupWarmUp.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        // main reports it when it parses the domain, with its own context
      }
    }, "warm-up");
    t.setDaemon(true);
    t.start();
  }
}
