package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The destination's post-copy page connections: each post-copy migration {@link #open opens} a random token (sent
 * in its {@link MigrationMessage.Accept}); the source's page connection names it ({@link MigrationMessage.Pages}) and
 * is handed to that migration, which then owns it until it {@link PageLink#release releases} it. A connection with
 * an unknown token is refused.
 */
final class PageLinks {
  private static final Logger LOG = LogManager.getLogger(PageLinks.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A page connection handed to its migration; {@link #release} ends its serving thread's wait. */
  record PageLink(MigrationChannel channel, CompletableFuture<Void> released) {
    void release() {
      channel.close();
      released.complete(null);
    }
  }

  private final Map<String, CompletableFuture<PageLink>> waiting = new ConcurrentHashMap<>();

  /** A fresh token for one post-copy migration. */
  String open() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    String token = HexFormat.of().formatHex(b);
    waiting.put(token, new CompletableFuture<>());
    return token;
  }

  /** The page connection of {@code token}, once the source has opened it; waits at most {@code timeout}. */
  PageLink await(String token, Duration timeout) throws IOException {
    CompletableFuture<PageLink> f = waiting.get(token);
    if (f == null) {
      throw new IOException("no post-copy migration with this page token");
    }
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException("the source did not open its page connection within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new IOException("no page connection: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for the page connection");
    }
  }

  /** The migration of {@code token} is over: a page connection still to come is refused, one handed over released. */
  void close(String token) {
    CompletableFuture<PageLink> f = waiting.remove(token);
    if (f != null && !f.completeExceptionally(new IOException("the migration is over"))) {
      f.join().release();
    }
  }

  /**
   * Serves the page connection {@code channel} that sent {@code pages}: hands it to its migration and returns once
   * the migration released it (the caller then closes it).
   */
  void serve(MigrationMessage.Pages pages, MigrationChannel channel) throws InterruptedException {
    CompletableFuture<PageLink> f = waiting.get(pages.token());
    PageLink link = new PageLink(channel, new CompletableFuture<>());
    if (f == null || !f.complete(link)) {
      LOG.warn("page connection from {} with an unknown or used token: refused", channel.peer());
      return;
    }
    LOG.info("page connection from {} for a post-copy migration", channel.peer());
    try {
      link.released().get();
    } catch (ExecutionException e) {
      // released all the same
    }
  }
}
