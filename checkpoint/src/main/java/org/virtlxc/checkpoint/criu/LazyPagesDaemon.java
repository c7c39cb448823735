package org.virtlxc.checkpoint.criu;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code criu lazy-pages}: the destination's side of post-copy. It listens on {@code lazy-pages.socket} in the image
 * directory (its work directory, which must be the restore's too), takes the userfaultfd of every process
 * {@code criu restore --lazy-pages} restores from that directory, then connects to the page server at
 * {@code 127.0.0.1:port} (here a relay to the source) and fills each page a process touches on demand and all the
 * others in the background. It exits 0 once every page is in (criu/uffd.c); if it fails, the restored processes can
 * no longer get their memory.
 */
public final class LazyPagesDaemon implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(LazyPagesDaemon.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path log;

  private LazyPagesDaemon(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the daemon on the images in {@code imageDir}, its log {@code log}, fetching from {@code 127.0.0.1:port};
   * returns once it listens for the restore (its {@code --status-fd}, here its stdout, says so).
   */
  public static LazyPagesDaemon start(Criu criu, Path imageDir, Path log, int port) throws IOException {
    List<String> cmd = criu.command(List.of("lazy-pages", "-D", imageDir.toString(), "-o", log.toString(), "-v4",
        "--page-server", "--address", "127.0.0.1", "--port", Integer.toString(port), "--status-fd", "1"));
    LOG.info("starting {}", String.join(" ", cmd));
    Process p = new ProcessBuilder(cmd).redirectError(log.resolveSibling(log.getFileName() + ".out").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    LazyPagesDaemon d = new LazyPagesDaemon(p, log);
    CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> {
      try (InputStream status = p.getInputStream()) {
        return status.read();
      } catch (IOException e) {
        return -1;
      }
    });
    try {
      if (ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) == 0) {
        return d;
      }
      d.close();
      throw new IOException("criu lazy-pages failed to start: " + d.failure());
    } catch (TimeoutException e) {
      d.close();
      throw new IOException("criu lazy-pages did not get ready within " + READY_TIMEOUT.toSeconds() + " s (log " + log
          + ")");
    } catch (ExecutionException e) {
      d.close();
      throw new IOException("criu lazy-pages failed to start: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      d.close();
      throw new IOException("interrupted while starting criu lazy-pages", e);
    }
  }

  /**
   * Waits at most {@code timeout} for the daemon to end: empty if every page was transferred (exit 0), else why not;
   * null if it still runs.
   */
  public Optional<String> await(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return null;
    }
    return process.exitValue() == 0 ? Optional.empty() : Optional.of(failure());
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Why it failed: CRIU's first error, or how it ended, naming its log. */
  private String failure() {
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String how = process.isAlive() ? "it runs on" : "exit status " + process.exitValue();
    Optional<String> error = Criu.firstError(log);
    if (error.isPresent()) {
      return "CRIU: " + error.get() + " (" + how + ", log " + log + ")";
    }
    String out = "";
    try {
      out = Files.readString(log.resolveSibling(log.getFileName() + ".out"), StandardCharsets.ISO_8859_1).strip();
    } catch (IOException e) {
      // nothing to quote
    }
    return how + (out.isEmpty() ? "" : ": " + out.lines().findFirst().orElse(""))
        + Criu.lastLine(log).map(l -> "; last log line: " + l).orElse("") + " (log " + log + ")";
  }

  /** Kills the daemon if it still runs (the restored processes then get no more pages). */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
