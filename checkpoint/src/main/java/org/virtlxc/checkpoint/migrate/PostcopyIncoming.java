package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.PendingRestore;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.criu.LazyPagesDaemon;
import org.virtlxc.checkpoint.job.DomainJob;

/**
 * The destination's memory of a post-copy migration: marks the staged restore for {@code --lazy-pages}, runs {@code
 * criu lazy-pages} on its image directory before libvirtd starts the domain, and relays the daemon's connection to
 * the source's page server through the migration's TLS page connection ({@link PageLinks}, {@link PageRelay}).
 * {@link #awaitPages} waits until every page is in. Closing kills what still runs and removes its work directory.
 */
final class PostcopyIncoming implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(PostcopyIncoming.class);
  /** How long the restore may take until the daemon asks for pages, and the source to open its page connection. */
  static final Duration LINK_TIMEOUT = Duration.ofMinutes(10);

  private final String domainName;
  private final String token;
  private final PageLinks links;
  private final Path work;
  private final ServerSocket local;
  private final LazyPagesDaemon daemon;
  private final AtomicReference<PageRelay> relay = new AtomicReference<>();
  private final AtomicReference<String> linkFailure = new AtomicReference<>();

  private PostcopyIncoming(String domainName, String token, PageLinks links, Path work, ServerSocket local,
      LazyPagesDaemon daemon) {
    this.domainName = domainName;
    this.token = token;
    this.links = links;
    this.work = work;
    this.local = local;
    this.daemon = daemon;
  }

  /** Prepares {@code pending} for a lazy restore and starts the daemon; the page link follows in the background. */
  static PostcopyIncoming start(Criu criu, PendingRestore pending, String domainName, String token, PageLinks links)
      throws IOException {
    pending.setLazyPages();
    Files.createDirectories(OutgoingMigration.WORK_DIR);
    Path work = Files.createTempDirectory(OutgoingMigration.WORK_DIR, "." + domainName + ".lazy-in-");
    ServerSocket local = null;
    try {
      local = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      local.setSoTimeout((int) LINK_TIMEOUT.toMillis());
      LazyPagesDaemon daemon = LazyPagesDaemon.start(criu, pending.imageDir(), work.resolve("lazy-pages.log"),
          local.getLocalPort());
      PostcopyIncoming p = new PostcopyIncoming(domainName, token, links, work, local, daemon);
      Thread t = new Thread(p::link, "page-link " + domainName);
      t.setDaemon(true);
      t.start();
      return p;
    } catch (IOException | RuntimeException e) {
      if (local != null) {
        local.close();
      }
      delete(work);
      throw e;
    }
  }

  /** The daemon's connection (made once the restore handed it the processes) meets the source's page connection. */
  private void link() {
    try (ServerSocket s = local) {
      Socket daemonSide = s.accept();
      PageLinks.PageLink link = links.await(token, LINK_TIMEOUT);
      relay.set(PageRelay.start(daemonSide, link.channel()));
    } catch (IOException e) {
      if (!local.isClosed() || relay.get() == null) {
        linkFailure.set(e.getMessage());
        LOG.warn("post-copy of {}: no page link: {}", domainName, e.getMessage());
      }
    }
  }

  /** Bytes of memory (and CRIU's page protocol) received from the source so far. */
  long bytesReceived() {
    PageRelay r = relay.get();
    return r == null ? 0 : r.bytesFromRemote();
  }

  /**
   * Waits until every page is in (the daemon exits 0): empty then, else why not. Reports the bytes received to
   * {@code job} as it goes.
   */
  Optional<String> awaitPages(DomainJob job, long memoryBytes) throws InterruptedException {
    while (true) {
      Optional<String> end = daemon.await(Duration.ofMillis(200));
      long got = bytesReceived();
      job.progress(got, Math.max(got, memoryBytes), got, Math.max(got, memoryBytes));
      if (end != null) {
        if (end.isEmpty()) {
          long all = bytesReceived();
          job.progress(all, all, all, all);
          return end;
        }
        PageRelay r = relay.get();
        String why = end.get();
        if (r != null && r.failure() != null) {
          why = r.failure() + "; " + why;
        } else if (linkFailure.get() != null) {
          why = linkFailure.get() + "; " + why;
        }
        return Optional.of("criu lazy-pages failed: " + why);
      }
    }
  }

  @Override
  public void close() {
    daemon.close();
    try {
      local.close();
    } catch (IOException e) {
      // nothing left to release
    }
    PageRelay r = relay.get();
    if (r != null) {
      r.close();
    }
    links.close(token);
    try {
      delete(work);
    } catch (IOException e) {
      LOG.warn("unable to remove {}: {}", work, e.getMessage());
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
