package org.virtlxc.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

class ControllerLoggingTest {
  /** virlog.c VIR_LOG_REGEX, the lines libvirtd leaves out of "guest failed to start". */
  private static final Pattern VIR_LOG_REGEX = Pattern.compile(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}\\+[0-9]{4}: [0-9]+: (debug|info|warning|error) : ");

  @Test
  void levelFollowsLibvirtDebug() {
    assertEquals(Level.WARN, ControllerLogging.levelFromLibvirtDebug(null));
    assertEquals(Level.DEBUG, ControllerLogging.levelFromLibvirtDebug("1"));
    assertEquals(Level.INFO, ControllerLogging.levelFromLibvirtDebug("2"));
    assertEquals(Level.WARN, ControllerLogging.levelFromLibvirtDebug("3"));
    assertEquals(Level.ERROR, ControllerLogging.levelFromLibvirtDebug("4"));
    assertEquals(Level.DEBUG, ControllerLogging.levelFromLibvirtDebug("debug"));
    assertEquals(Level.WARN, ControllerLogging.levelFromLibvirtDebug("7"));
    assertEquals(Level.WARN, ControllerLogging.levelFromLibvirtDebug(""));
  }

  @Test
  void startupFailureIsOnePlainLineOutsideLibvirtsLogFormat() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    StartupFailure.report(new PrintStream(buf, true, StandardCharsets.UTF_8), "unable to find init\n/sbin/init");
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals("Failure in virt-lxc startup: unable to find init /sbin/init\n", out);
    assertFalse(VIR_LOG_REGEX.matcher(out).find());
  }

  @Test
  void debugLevelWritesEveryLineInLibvirtsFormat() throws Exception {
    List<String> lines = runProbe("1");
    List<String> logLines = lines.subList(0, lines.size() - 1);
    assertEquals(4, logLines.size(), lines::toString);
    for (String line : logLines) {
      assertTrue(VIR_LOG_REGEX.matcher(line).find(), "libvirt log format: " + line);
      assertTrue(line.contains(": Controller: "), line);
    }
    assertTrue(logLines.get(0).contains(": debug : Controller: debug line"), logLines.get(0));
    assertTrue(logLines.get(1).contains(": info : Controller: info line"), logLines.get(1));
    assertTrue(logLines.get(2).endsWith(": warning : Controller: warning line\\nsecond part"), logLines.get(2));
    assertTrue(logLines.get(3).contains(": error : Controller: error line | java.lang.IllegalStateException: boom"),
        logLines.get(3));
    assertTrue(logLines.get(0).matches("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000: \\d+: .*"));
    assertEquals("Failure in virt-lxc startup: unable to mount /proc because of reasons", lines.get(lines.size() - 1));
  }

  @Test
  void defaultLevelIsWarning() throws Exception {
    List<String> lines = runProbe(null);
    assertEquals(3, lines.size(), lines::toString);
    assertTrue(lines.get(0).contains(": warning : "), lines.get(0));
    assertTrue(lines.get(1).contains(": error : "), lines.get(1));
    assertTrue(lines.get(2).startsWith("Failure in virt-lxc startup: "));
  }

  /** stderr lines of LoggingProbe in a fresh JVM, as libvirtd would find them in the domain log. */
  private static List<String> runProbe(String libvirtDebug) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), LoggingProbe.class.getName());
    pb.environment().remove("LIBVIRT_DEBUG");
    if (libvirtDebug != null) {
      pb.environment().put("LIBVIRT_DEBUG", libvirtDebug);
    }
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), err);
    return new ArrayList<>(err.lines().toList());
  }
}
