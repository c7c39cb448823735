package org.virtlxc.driver;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.message.Message;
import org.apache.logging.log4j.message.MessageFactory;
import org.apache.logging.log4j.spi.AbstractLogger;

/**
 * A Log4j API logger that writes libvirt's log line format to stderr, the domain log:
 * {@code YYYY-MM-DD HH:MM:SS.mmm+0000: PID: level : Logger: message | stack trace}, line breaks escaped as {@code \n}.
 * libvirtd leaves lines of this shape (virlog.c VIR_LOG_REGEX) out of its "guest failed to start" report.
 */
final class LibvirtFormatLogger extends AbstractLogger {
  /** Made with the first line written: the controller logs nothing before its handshake unless LIBVIRT_DEBUG asks. */
  private static final class Time {
    static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSZ")
        .withZone(ZoneOffset.UTC);
  }

  private static final long PID = ProcessHandle.current().pid();

  private final String shortName;
  private final Level level;
  private final PrintStream err;

  LibvirtFormatLogger(String name, Level level, MessageFactory messageFactory, PrintStream err) {
    super(name, messageFactory);
    this.shortName = name.substring(name.lastIndexOf('.') + 1);
    this.level = level;
    this.err = err;
  }

  @Override
  public Level getLevel() {
    return level;
  }

  private boolean enabled(Level l) {
    return l.isMoreSpecificThan(level);
  }

  // AbstractLogger asks through one overload per argument shape; they all mean "is this level on".
  @Override
  public boolean isEnabled(Level l, Marker m, Message msg, Throwable t) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, CharSequence msg, Throwable t) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, Object msg, Throwable t) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Throwable t) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object... p) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0, Object p1) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0, Object p1, Object p2) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0, Object p1, Object p2, Object p3) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0, Object p1, Object p2, Object p3, Object p4) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0, Object p1, Object p2, Object p3, Object p4,
      Object p5) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0, Object p1, Object p2, Object p3, Object p4,
      Object p5, Object p6) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0, Object p1, Object p2, Object p3, Object p4,
      Object p5, Object p6, Object p7) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0, Object p1, Object p2, Object p3, Object p4,
      Object p5, Object p6, Object p7, Object p8) {
    return enabled(l);
  }

  @Override
  public boolean isEnabled(Level l, Marker m, String msg, Object p0, Object p1, Object p2, Object p3, Object p4,
      Object p5, Object p6, Object p7, Object p8, Object p9) {
    return enabled(l);
  }

  @Override
  public void logMessage(String fqcn, Level level, Marker marker, Message msg, Throwable throwable) {
    String line = line(System.currentTimeMillis(), level, shortName, msg.getFormattedMessage(),
        throwable != null ? throwable : msg.getThrowable());
    synchronized (err) {
      err.print(line);
      err.flush();
    }
  }

  /** One log line, newline included. */
  static String line(long epochMillis, Level level, String logger, String message, Throwable throwable) {
    StringBuilder b = new StringBuilder(128).append(Time.FORMAT.format(java.time.Instant.ofEpochMilli(epochMillis)))
        .append(": ").append(PID).append(": ").append(libvirtLevel(level)).append(" : ").append(logger).append(": ")
        .append(escape(message));
    if (throwable != null) {
      StringWriter trace = new StringWriter();
      throwable.printStackTrace(new PrintWriter(trace));
      b.append(" | ").append(escape(String.join(" | ", trace.toString().strip().split("\\R"))));
    }
    return b.append('\n').toString();
  }

  static String libvirtLevel(Level level) {
    if (level.isMoreSpecificThan(Level.ERROR)) {
      return "error";
    }
    if (level.isMoreSpecificThan(Level.WARN)) {
      return "warning";
    }
    return level.isMoreSpecificThan(Level.INFO) ? "info" : "debug";
  }

  private static String escape(String s) {
    return s == null ? "null" : s.replace("\r", "\\r").replace("\n", "\\n");
  }
}
