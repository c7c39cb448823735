package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Copies CRIU's page traffic both ways between a local TCP connection (the source's CRIU page server, or the
 * destination's {@code criu lazy-pages}) and a post-copy migration's TLS page connection, so that it crosses the
 * network only inside the migration's mutually authenticated TLS. When either side ends (or fails), both are closed:
 * CRIU's page protocol ends with the lazy-pages daemon closing its connection, which so reaches the page server.
 */
final class PageRelay implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(PageRelay.class);
  private static final int BUFFER = 256 << 10;

  private final Socket local;
  private final MigrationChannel remote;
  private final AtomicLong fromRemote = new AtomicLong();
  private final AtomicLong toRemote = new AtomicLong();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

  private PageRelay(Socket local, MigrationChannel remote) {
    this.local = local;
    this.remote = remote;
  }

  /** Starts relaying between {@code local} and the page connection {@code remote}. */
  static PageRelay start(Socket local, MigrationChannel remote) throws IOException {
    PageRelay r = new PageRelay(local, remote);
    local.setTcpNoDelay(true);
    InputStream localIn = local.getInputStream();
    OutputStream localOut = local.getOutputStream();
    r.pump("to " + remote.peer(), localIn, remote.rawOutput(), r.toRemote);
    r.pump("from " + remote.peer(), remote.rawInput(), localOut, r.fromRemote);
    return r;
  }

  private void pump(String what, InputStream from, OutputStream to, AtomicLong count) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[BUFFER];
      try {
        int n;
        while ((n = from.read(buf)) >= 0) {
          to.write(buf, 0, n);
          to.flush();
          count.addAndGet(n);
        }
      } catch (IOException e) {
        if (!closing.get()) {
          failure.compareAndSet(null, "page connection " + what + ": " + e.getMessage());
        }
      } finally {
        close();
      }
    }, "page-relay " + what);
    t.setDaemon(true);
    t.start();
  }

  /** Bytes received from the other host so far. */
  long bytesFromRemote() {
    return fromRemote.get();
  }

  /** Bytes sent to the other host so far. */
  long bytesToRemote() {
    return toRemote.get();
  }

  /** Why the relay broke (an I/O error rather than an orderly end), if it did. */
  String failure() {
    return failure.get();
  }

  boolean ended() {
    return ended.isDone();
  }

  /** Waits at most {@code timeout} for the relay to end; whether it did. */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    try {
      ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  /** Closes both connections (ending the relay). */
  @Override
  public void close() {
    if (closing.getAndSet(true)) {
      return;
    }
    try {
      local.close();
    } catch (IOException e) {
      LOG.debug("closing the local page connection: {}", e.getMessage());
    }
    remote.close();
    ended.complete(null);
  }
}
