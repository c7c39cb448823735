package org.virtlxc.cgroups;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs one {@code busctl} command line (tests substitute a fake that records the arguments). */
public interface BusRunner {

  /** What a finished command reported. */
  record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /**
   * Runs {@code argv} to completion.
   *
   * @throws IOException when the command cannot be started (no busctl) or does not finish in time
   */
  Result run(List<String> argv) throws IOException;

  /** The real runner: a child process, waited for at most {@code timeoutSeconds}. */
  static BusRunner system(long timeoutSeconds) {
    return argv -> {
      Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
      try {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IOException(argv.get(0) + " did not finish within " + timeoutSeconds + " s: " + argv);
        }
        return new Result(p.exitValue(), out.join(), err.join());
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while running " + argv, e);
      }
    };
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
