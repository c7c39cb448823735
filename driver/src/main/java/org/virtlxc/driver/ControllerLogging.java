package org.virtlxc.driver;

import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;

/**
 * Log4j 2 set-up for the controller daemon: libvirt's line format on stderr (the domain's log file), level from
 * {@code LIBVIRT_DEBUG}, written by {@link LibvirtLogProvider} (Log4j API only; Log4j Core is not loaded). {@link #configure} must run before the first {@code LogManager.getLogger} call of the process,
 * and {@link #shutdown()} as the last step of main (the configuration has no shutdown hook).
 */
public final class ControllerLogging {
  /** System property the configuration reads its root level from. */
  public static final String LEVEL_PROPERTY = "virtlxc.controller.logLevel";

  private ControllerLogging() {}

  /**
   * Selects the controller configuration and its level from {@code env} (normally {@code System.getenv()}).
   *
   * @return the level in effect
   */
  public static Level configure(Map<String, String> env) {
    Level level = levelFromLibvirtDebug(env.get("LIBVIRT_DEBUG"));
    System.setProperty(LEVEL_PROPERTY, level.name());
    // A light provider writes libvirt's format: Log4j Core's start-up (XML configuration, plugins) would dominate the
    // controller's, and its classes a good part of the controller's memory.
    System.setProperty("log4j.provider", LibvirtLogProvider.class.getName());
    return level;
  }

  /**
   * libvirt's priorities ({@code virLogParseDefaultPriority}): 1 or debug, 2 or info, 3 or warning, 4 or error.
   * Unset, empty or anything else gives libvirt's default, warning.
   */
  public static Level levelFromLibvirtDebug(String value) {
    if (value == null) {
      return Level.WARN;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "1", "debug" -> Level.DEBUG;
      case "2", "info" -> Level.INFO;
      case "4", "error" -> Level.ERROR;
      default -> Level.WARN;
    };
  }

  /** Flushes and stops logging; call as the last step of main. */
  public static void shutdown() {
    LogManager.shutdown();
  }
}
