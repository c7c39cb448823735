package org.virtlxc.checkpoint.job;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Properties;

/**
 * One domain job as its state file records it: what runs, since when, in which process, and how far it is.
 *
 * @param operation       what the job does
 * @param pid             the process running the job
 * @param pidStarted      that process's start time (tells a live job from a stale file whose pid was reused)
 * @param started         when the job began
 * @param phase           what it does now, e.g. "dumping", "writing image"
 * @param dataProcessed   bytes handled so far (image bytes written or read)
 * @param dataTotal       bytes to handle in all; 0 while unknown
 * @param memoryProcessed bytes of the domain's memory handled so far
 * @param memoryTotal     bytes of the domain's memory to handle; 0 while unknown
 * @param updated         when this state was written
 * @param result          how it ended; null while it runs
 * @param error           why it failed or was aborted; null otherwise
 * @param ended           when it ended; null while it runs
 */
public record JobState(JobOperation operation, long pid, Instant pidStarted, Instant started, String phase,
                       long dataProcessed, long dataTotal, long memoryProcessed, long memoryTotal, Instant updated,
                       JobResult result, String error, Instant ended) {
  public JobState {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(pidStarted, "pidStarted");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(updated, "updated");
  }

  /** A job that has just begun in process {@code pid}. */
  public static JobState begun(JobOperation operation, long pid, Instant pidStarted, Instant now) {
    return new JobState(operation, pid, pidStarted, now, "starting", 0, 0, 0, 0, now, null, null, null);
  }

  public boolean finished() {
    return result != null;
  }

  /** Time from the start to the end, or to the last update while it runs. */
  public Duration elapsed(Instant now) {
    return Duration.between(started, ended != null ? ended : now);
  }

  /**
   * Percent done: of memory when its total is known, else of data, else 0; at most 99 until the job has completed
   * (a phase that has written everything may still have work to do, and its totals are estimates), 100 then.
   */
  public int percent() {
    if (result == JobResult.COMPLETED) {
      return 100;
    }
    if (memoryTotal > 0) {
      return (int) Math.min(99, memoryProcessed * 100 / memoryTotal);
    }
    if (dataTotal > 0) {
      return (int) Math.min(99, dataProcessed * 100 / dataTotal);
    }
    return 0;
  }

  public JobState withPhase(String newPhase, Instant now) {
    return new JobState(operation, pid, pidStarted, started, newPhase, dataProcessed, dataTotal, memoryProcessed,
        memoryTotal, now, result, error, ended);
  }

  public JobState withProgress(long dataDone, long dataAll, long memoryDone, long memoryAll, Instant now) {
    return new JobState(operation, pid, pidStarted, started, phase, dataDone, dataAll, memoryDone, memoryAll, now,
        result, error, ended);
  }

  public JobState withResult(JobResult r, String why, Instant now) {
    return new JobState(operation, pid, pidStarted, started, phase, dataProcessed, dataTotal, memoryProcessed,
        memoryTotal, now, r, why, now);
  }

  /** The state file's text: Java properties, one field a line. */
  public String format() {
    Properties p = new Properties();
    p.setProperty("operation", operation.key());
    p.setProperty("pid", Long.toString(pid));
    p.setProperty("pid.started", pidStarted.toString());
    p.setProperty("started", started.toString());
    p.setProperty("phase", phase);
    p.setProperty("data.processed", Long.toString(dataProcessed));
    p.setProperty("data.total", Long.toString(dataTotal));
    p.setProperty("memory.processed", Long.toString(memoryProcessed));
    p.setProperty("memory.total", Long.toString(memoryTotal));
    p.setProperty("percent", Integer.toString(percent()));
    p.setProperty("updated", updated.toString());
    if (result != null) {
      p.setProperty("result", result.key());
      p.setProperty("ended", ended.toString());
    }
    if (error != null) {
      p.setProperty("error", error);
    }
    StringWriter w = new StringWriter();
    try {
      p.store(w, "virt-lxc domain job");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }

  /** Parses a state file's text; {@code source} names it in errors. */
  public static JobState parse(String text, String source) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(text));
    String result = p.getProperty("result");
    String ended = p.getProperty("ended");
    try {
      return new JobState(JobOperation.fromKey(required(p, "operation", source)), number(p, "pid", source),
          instant(p, "pid.started", source), instant(p, "started", source), required(p, "phase", source),
          number(p, "data.processed", source), number(p, "data.total", source), number(p, "memory.processed", source),
          number(p, "memory.total", source), instant(p, "updated", source),
          result == null ? null : JobResult.fromKey(result), p.getProperty("error"),
          ended == null ? null : instant(p, "ended", source));
    } catch (IllegalArgumentException e) {
      throw new IOException("job state " + source + " is not readable: " + e.getMessage(), e);
    }
  }

  private static String required(Properties p, String key, String source) throws IOException {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IOException("job state " + source + " has no '" + key + "'");
    }
    return v;
  }

  private static long number(Properties p, String key, String source) throws IOException {
    String v = required(p, key, source);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IOException("job state " + source + ": '" + key + "' is not a number: " + v, e);
    }
  }

  private static Instant instant(Properties p, String key, String source) throws IOException {
    String v = required(p, key, source);
    try {
      return Instant.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IOException("job state " + source + ": '" + key + "' is not a time: " + v, e);
    }
  }
}
