package org.virtlxc.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Stock {@code virsh console}, driven as an operator at a terminal would. */
final class VirshConsole {
  private VirshConsole() {}

  /**
   * Attaches {@code virsh console NAME --devname DEV} on a pty of its own (virsh wants a terminal; script(1) gives it
   * one), types {@code word} and Enter, waits for the answer, detaches with Ctrl-], and returns everything shown.
   */
  static String exchange(String name, String devname, String word) throws Exception {
    String command = "virsh -c " + Virsh.URI + " console " + name + " --devname " + devname;
    Process p = new ProcessBuilder("script", "-qfec", command, "/dev/null").redirectErrorStream(true).start();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> copy(p.getInputStream(), seen), "console-reader");
    reader.setDaemon(true);
    reader.start();
    try (OutputStream in = p.getOutputStream()) {
      await(() -> text(seen).contains("Escape character"), "virsh console attached: " + text(seen));
      Thread.sleep(300);
      in.write((word + "\r").getBytes(StandardCharsets.US_ASCII));
      in.flush();
      await(() -> text(seen).contains("echo:" + word), "answer on " + devname + ": " + text(seen));
      in.write(0x1d); // Ctrl-]
      in.flush();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } finally {
      p.destroyForcibly();
    }
    reader.join(2000);
    return text(seen);
  }

  /**
   * {@code virsh -c URI console NAME} left attached (on a pty of its own, as above), collecting what the domain's
   * console shows from now on; closing it ends virsh.
   */
  static Watch watch(String uri, String name) throws IOException {
    return new Watch(new ProcessBuilder("script", "-qfec", "virsh -c " + uri + " console " + name, "/dev/null")
        .redirectErrorStream(true).start());
  }

  /** An attached {@code virsh console} and everything it has shown. */
  static final class Watch implements AutoCloseable {
    private final Process process;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

    private Watch(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> copy(process.getInputStream(), seen), "virsh-console-reader");
      reader.setDaemon(true);
      reader.start();
    }

    /** The first number captured by {@code pattern} that {@code wanted} accepts, waited for up to {@code millis}. */
    int awaitNumber(Pattern pattern, IntPredicate wanted, long millis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + millis;
      while (System.currentTimeMillis() < deadline) {
        Matcher m = pattern.matcher(text(seen));
        while (m.find()) {
          int n = Integer.parseInt(m.group(1));
          if (wanted.test(n)) {
            return n;
          }
        }
        Thread.sleep(100);
      }
      throw new AssertionError("console showed no " + pattern + " accepted within " + millis + " ms: " + text(seen));
    }

    @Override
    public void close() {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      try {
        if (process.waitFor(5, TimeUnit.SECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] buf = new byte[1024];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        synchronized (out) {
          out.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }


  private static void await(BooleanSupplier check, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (!check.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(100);
    }
  }
}
