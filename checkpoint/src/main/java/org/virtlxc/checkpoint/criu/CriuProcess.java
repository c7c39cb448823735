package org.virtlxc.checkpoint.criu;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs one CRIU command to completion: stdin {@code /dev/null}, stdout and stderr into {@code out} (CRIU prints little
 * there; its log file is the diagnosis), killed after {@code timeout}. Returns why it failed, in one line: CRIU's own
 * first error from {@code log} (with {@link Criu#explain} of it), or how it ended (killed, exit status, its output) with the log's last line.
 */
public final class CriuProcess {
  private CriuProcess() {}

  /** Consulted about every {@link #POLL} while CRIU runs. */
  @FunctionalInterface
  public interface Watch {
    /** A reason to stop CRIU now (it is then killed, and the reason returned as the failure), or empty. */
    Optional<String> check();

    Watch NONE = Optional::empty;
  }

  static final Duration POLL = Duration.ofMillis(100);

  public static Optional<String> run(List<String> cmd, Map<String, String> env, Path log, Path out, Duration timeout)
      throws IOException, InterruptedException {
    return run(cmd, env, log, out, timeout, Watch.NONE);
  }

  /** As {@link #run(List, Map, Path, Path, Duration)}, and kills CRIU (SIGKILL, by its pid) when {@code watch} says. */
  public static Optional<String> run(List<String> cmd, Map<String, String> env, Path log, Path out, Duration timeout,
      Watch watch) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    Process p = pb.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (!p.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
        Optional<String> stop = watch.check();
        if (stop.isPresent()) {
          p.destroyForcibly().waitFor();
          return stop;
        }
        if (System.nanoTime() - deadline > 0) {
          p.destroyForcibly().waitFor();
          return Optional.of("CRIU did not finish within " + timeout.toSeconds() + " s and was killed (log " + log
              + ")");
        }
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      throw e;
    }
    int status = p.exitValue();
    if (status == 0) {
      return Optional.empty();
    }
    Optional<String> error = Criu.firstError(log);
    if (error.isPresent()) {
      return Optional.of("CRIU: " + error.get() + Criu.explain(error.get()).map(e -> " (" + e + ")").orElse("")
          + " (log " + log + ")");
    }
    String how = status > 128 ? "CRIU was killed by signal " + (status - 128) : "CRIU exited with status " + status;
    String output = Files.readString(out, StandardCharsets.ISO_8859_1).strip();
    return Optional.of(how + (output.isEmpty() ? "" : ": " + output.lines().findFirst().orElse(""))
        + Criu.lastLine(log).map(l -> "; last log line: " + l).orElse("") + " (log " + log + ")");
  }
}
