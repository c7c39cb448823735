package org.virtlxc.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.message.Message;
import org.apache.logging.log4j.message.MessageFactory;
import org.apache.logging.log4j.simple.SimpleLogger;
import org.apache.logging.log4j.spi.Provider;
import org.apache.logging.log4j.util.PropertiesUtil;
import org.virtlxc.checkpoint.log.ProcessLogContext;

/**
 * The {@code virt-lxc} command's Log4j API provider, selected by {@link #select} in {@code main}: Log4j API's
 * {@link SimpleLogger} writing {@code virt-lxc: warn: message} lines to stderr (the format the library's
 * {@code log4j2.xml} gives), at level WARN or {@code -Dlog4j2.level}. Log4j Core's start (its plugins and XML
 * configuration: about 0.25 s of a fresh JVM, on the second of two cores while picocli parses) is left out of the
 * command; an application using the Java API keeps whatever Log4j set-up it has.
 */
public final class CommandLogProvider extends Provider {
  /** The level property, as Log4j Core names its root level. */
  static final String LEVEL_PROPERTY = "log4j2.level";

  public CommandLogProvider() {
    super(5, "2.6.0", Factory.class);
  }

  /** Makes this the provider of the process; before the first logger is asked for. */
  static void select() {
    System.setProperty("log4j.provider", CommandLogProvider.class.getName());
  }

  /** The one context of the process. */
  public static final class Factory extends ProcessLogContext.Factory {
    private static final ProcessLogContext CONTEXT =
        context(Level.toLevel(System.getProperty(LEVEL_PROPERTY), Level.WARN), System.err);

    public Factory() {
      super(CONTEXT);
    }
  }

  /** A context of {@link CommandLogger}s at {@code level} writing to {@code err}. */
  static ProcessLogContext context(Level level, PrintStream err) {
    return new ProcessLogContext((name, messageFactory) -> new CommandLogger(name, level, messageFactory, err));
  }

  /** {@code virt-lxc: LEVEL: message}, then the stack trace if any, as one write. */
  static final class CommandLogger extends SimpleLogger {
    private final PrintStream err;

    CommandLogger(String name, Level level, MessageFactory messageFactory, PrintStream err) {
      super(name, level, false, false, false, false, null, messageFactory, PropertiesUtil.getProperties(), err);
      this.err = err;
    }

    @Override
    public void logMessage(String fqcn, Level level, Marker marker, Message message, Throwable thrown) {
      String line = "virt-lxc: " + level.name().toLowerCase(Locale.ROOT) + ": " + message.getFormattedMessage();
      synchronized (err) {
        err.println(line);
        if (thrown != null) {
          thrown.printStackTrace(err);
        }
        err.flush();
      }
    }
  }
}
