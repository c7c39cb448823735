package org.virtlxc.tests.bench;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Watches the job state files of a migration on both hosts ({@code /run/virt-lxc/jobs/NAME.job}, read from outside)
 * every 20 ms and records when each phase began, for the benchmark's breakdown of a migration.
 */
final class JobPhases implements AutoCloseable {
  private final Map<String, Path> files = new LinkedHashMap<>();
  private final List<String> timeline = new ArrayList<>();
  private final long t0 = System.nanoTime();
  private final Thread thread;
  private volatile boolean running = true;

  JobPhases(Map<String, Path> jobFiles) {
    files.putAll(jobFiles);
    thread = new Thread(this::watch, "job-phases");
    thread.setDaemon(true);
    thread.start();
  }

  private void watch() {
    Map<String, String> last = new LinkedHashMap<>();
    while (running) {
      for (Map.Entry<String, Path> e : files.entrySet()) {
        String phase = phase(e.getValue());
        if (phase != null && !phase.equals(last.get(e.getKey()))) {
          last.put(e.getKey(), phase);
          synchronized (timeline) {
            timeline.add(String.format(Locale.ROOT, "%s %s +%.2f s", e.getKey(), phase,
                (System.nanoTime() - t0) / 1e9));
          }
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException ex) {
        return;
      }
    }
  }

  private static String phase(Path file) {
    try {
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(file)));
      return p.getProperty("phase");
    } catch (IOException | IllegalArgumentException e) {
      return null; // no job (yet), or replaced while read
    }
  }

  /** The phases seen, in order: "HOST PHASE +SECONDS". */
  List<String> timeline() {
    synchronized (timeline) {
      return List.copyOf(timeline);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(1000);
  }
}
