package org.virtlxc.driver;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Run in a fresh JVM by ControllerLoggingTest: configures logging as the controller's main will, logs, fails. */
public final class LoggingProbe {
  private LoggingProbe() {}

  public static void main(String[] args) {
    ControllerLogging.configure(System.getenv());
    Logger log = LogManager.getLogger("org.virtlxc.driver.Controller");
    log.debug("debug line");
    log.info("info line");
    log.warn("warning line\nsecond part");
    log.error("error line", new IllegalStateException("boom"));
    StartupFailure.report("unable to mount /proc\nbecause of reasons");
    ControllerLogging.shutdown();
  }
}
