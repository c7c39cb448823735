package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.DomainJobLock;
import org.virtlxc.checkpoint.PendingRestore;
import org.virtlxc.checkpoint.SaveService;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.job.DomainJob;
import org.virtlxc.checkpoint.job.JobOperation;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.DomainXmlException;

/**
 * The destination's side of one migration (see {@link MigrationMessage} for the exchange): checks the hello, receives
 * the image straight into the domain's pending restore, starts the domain through libvirtd with its processes left
 * stopped, reports it restored, and lets it run only on the source's commit. Whatever fails, or a connection that
 * ends before the commit, leaves nothing behind here: the domain is destroyed (and undefined if this migration
 * defined it), the unpacked image removed.
 */
final class IncomingMigration {
  private static final Logger LOG = LogManager.getLogger(IncomingMigration.class);
  static final Duration HELLO_TIMEOUT = Duration.ofSeconds(30);
  /** How long the source may take between its hello and the image's start: its dump runs meanwhile. */
  static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(60);

  private final MigrationTarget target;
  private final SaveService saves;
  private final HostFacts host;
  private final LongSupplier availableMemory;
  private final Criu criu;
  private final PageLinks pageLinks = new PageLinks();

  IncomingMigration(MigrationTarget target, SaveService saves, HostFacts host, LongSupplier availableMemory) {
    this(target, saves, host, availableMemory, Criu.fromSystemProperty());
  }

  IncomingMigration(MigrationTarget target, SaveService saves, HostFacts host, LongSupplier availableMemory,
      Criu criu) {
    this.target = target;
    this.saves = saves;
    this.host = host;
    this.availableMemory = availableMemory;
    this.criu = criu;
  }

  /** Runs the migration offered on {@code channel}; logs its outcome, never throws for the peer's failures. */
  void run(MigrationChannel channel) {
    MigrationMessage first;
    try {
      first = channel.receive(HELLO_TIMEOUT);
    } catch (IOException e) {
      LOG.warn("migration from {}: no hello: {}", channel.peer(), e.getMessage());
      return;
    }
    if (first instanceof MigrationMessage.Pages pages) {
      try {
        pageLinks.serve(pages, channel);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    if (!(first instanceof MigrationMessage.Hello hello)) {
      LOG.warn("migration from {}: protocol error: expected a hello, got {}", channel.peer(), first);
      return;
    }
    String name = hello.domainName();
    String token = null;
    try (DomainJobLock lock = DomainJobLock.acquire(name, "receive")) {
      MigrationMessage answer = decide(hello);
      if (answer instanceof MigrationMessage.Accept a && hello.postcopy()) {
        token = pageLinks.open();
        answer = new MigrationMessage.Accept(a.host(), a.warnings(), token);
      }
      channel.send(answer);
      if (answer instanceof MigrationMessage.Refuse r) {
        LOG.warn("migration of {} from {} refused: {}", name, channel.peer(), String.join("; ", r.reasons()));
        return;
      }
      try (DomainJob job = DomainJob.begin(name, JobOperation.MIGRATION_IN)) {
        if (receive(channel, hello, job, token)) {
          job.succeeded();
        }
      }
    } catch (CheckpointException e) {
      LOG.warn("migration of {} from {}: {}", name, channel.peer(), e.getMessage());
      sendQuietly(channel, new MigrationMessage.Refuse(java.util.List.of(e.getMessage())));
    } catch (IOException e) {
      LOG.warn("migration of {} from {} failed: {}", name, channel.peer(), e.getMessage());
    } finally {
      if (token != null) {
        pageLinks.close(token);
      }
    }
  }

  MigrationMessage decide(MigrationMessage.Hello hello) throws CheckpointException, IOException {
    MigrationTarget.Presence presence = target.presence(hello.domainName(), hello.domainUuid());
    boolean pending = PendingRestore.find(hello.domainUuid()).isPresent();
    MigrationMessage m = new IncomingCheck(host, availableMemory.getAsLong(), presence, pending,
        p -> Files.exists(Path.of(p)), IncomingMigration::hasContent).decide(hello);
    if (hello.postcopy() && !MigrationModes.feature(criu, "uffd-noncoop")) {
      List<String> reasons = new ArrayList<>(m instanceof MigrationMessage.Refuse r ? r.reasons() : List.of());
      reasons.add("post-copy needs userfaultfd with non-cooperative events, which this host lacks ('criu check"
          + " --feature uffd-noncoop' fails); migrate without --postcopy");
      return new MigrationMessage.Refuse(reasons);
    }
    return m;
  }

  /** The image, the start, the commit; true once the domain runs here. Cleans up after any failure. */
  private boolean receive(MigrationChannel channel, MigrationMessage.Hello hello, DomainJob job, String token) {
    String name = hello.domainName();
    CopiedTrees copied;
    try {
      copied = copyStorage(channel, hello, job);
    } catch (IOException | DomainXmlException e) {
      fail(channel, job, "the storage copy failed here: " + e.getMessage());
      return false;
    }
    job.phase("receiving image");
    PendingRestore pending;
    try {
      pending = saves.stage(channel.imageInput(), "the migration stream from " + channel.peer(), hello.domainUuid(),
          name);
    } catch (CheckpointException e) {
      copied.undo();
      fail(channel, job, e.getMessage());
      return false;
    }
    if (token == null) {
      return restore(channel, hello, job, pending, null, copied);
    }
    PostcopyIncoming postcopy;
    try {
      postcopy = PostcopyIncoming.start(criu, pending, name, token, pageLinks);
    } catch (IOException e) {
      discard(pending);
      copied.undo();
      fail(channel, job, "unable to prepare the post-copy restore of " + name + " here: " + e.getMessage());
      return false;
    }
    try (postcopy) {
      return restore(channel, hello, job, pending, postcopy, copied);
    }
  }

  /**
   * Starts the staged domain, waits for the commit, lets it run; with {@code postcopy}, until its memory is in. A
   * failure undoes the storage {@code copied} here.
   */
  private boolean restore(MigrationChannel channel, MigrationMessage.Hello hello, DomainJob job,
      PendingRestore pending, PostcopyIncoming postcopy, CopiedTrees copied) {
    String name = hello.domainName();
    job.phase("restoring");
    boolean defined;
    try {
      defined = target.start(hello.domainXml(), hello.persistent());
    } catch (IOException e) {
      discard(pending);
      copied.undo();
      fail(channel, job, "unable to restore domain " + name + " here: " + e.getMessage());
      return false;
    }
    try {
      channel.send(new MigrationMessage.Restored(name));
      job.phase("waiting for the source's commit");
      channel.expect(MigrationMessage.Commit.class, COMMIT_TIMEOUT);
    } catch (IOException e) {
      LOG.warn("migration of {} from {}: no commit ({}); destroying the copy restored here", name, channel.peer(),
          e.getMessage());
      destroy(name, defined);
      copied.undo();
      job.failed("the source did not commit: " + e.getMessage());
      return false;
    }
    try {
      saves.continuePaused(name);
    } catch (CheckpointException e) {
      destroy(name, defined);
      copied.undo();
      fail(channel, job, "unable to continue the restored processes of " + name + ": " + e.getMessage());
      return false;
    }
    if (postcopy != null) {
      job.phase("post-copy: running, receiving memory");
      Optional<String> broken;
      try {
        broken = postcopy.awaitPages(job, hello.memoryBytes());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        broken = Optional.of("interrupted");
      }
      if (broken.isPresent()) {
        // its processes ran with memory that will never arrive: destroyed rather than left to run on corrupt data
        destroy(name, defined);
        fail(channel, job, "post-copy failed after domain " + name + " resumed here, so it cannot be undone: its"
            + " memory did not all arrive (" + broken.get() + "); it was destroyed here");
        return false;
      }
      LOG.info("post-copy of {}: every page is in ({} bytes received)", name, postcopy.bytesReceived());
    }
    sendQuietly(channel, new MigrationMessage.Done(name));
    LOG.info("domain {} migrated in from {}", name, channel.peer());
    return true;
  }

  /**
   * With a storage copy, its two passes (while the domain runs on the source, then once its processes are stopped
   * there); the trees as they were before, to undo the copy if the migration fails later.
   */
  private static CopiedTrees copyStorage(MigrationChannel channel, MigrationMessage.Hello hello, DomainJob job)
      throws IOException, DomainXmlException {
    if (hello.copyStorage() == StorageCopy.NONE) {
      return CopiedTrees.before(List.of());
    }
    List<String> trees = StorageSync.trees(DomainXml.parse(hello.domainXml(), "the domain XML of "
        + hello.domainName()));
    CopiedTrees copied = CopiedTrees.before(trees);
    try {
      job.phase("copying storage");
      MigrationMessage.StorageSynced first = StorageSync.serve(channel, trees);
      job.phase("copying storage (final pass)");
      MigrationMessage.StorageSynced last = StorageSync.serve(channel, trees);
      LOG.info("storage of {} copied from {}: {} files, {} bytes; final pass {} files, {} bytes", hello.domainName(),
          channel.peer(), first.files(), first.bytes(), last.files(), last.bytes());
      return copied;
    } catch (IOException e) {
      copied.undo();
      throw e;
    }
  }

  private void fail(MigrationChannel channel, DomainJob job, String reason) {
    LOG.warn("migration from {}: {}", channel.peer(), reason);
    job.failed(reason);
    sendQuietly(channel, new MigrationMessage.Failed(reason));
  }

  private void destroy(String name, boolean undefine) {
    try {
      target.destroy(name, undefine);
    } catch (IOException e) {
      LOG.error("unable to destroy the copy of {} after a failed migration: {}", name, e.getMessage());
    }
  }

  private static void discard(PendingRestore pending) {
    try {
      pending.discard();
    } catch (IOException e) {
      LOG.warn("unable to remove the pending restore {}: {}", pending.marker(), e.getMessage());
    }
  }

  private static void sendQuietly(MigrationChannel channel, MigrationMessage m) {
    try {
      channel.send(m);
    } catch (IOException e) {
      LOG.debug("unable to tell {} about {}: {}", channel.peer(), m, e.getMessage());
    }
  }

  /** Whether {@code path} exists and is anything but an empty directory. */
  static boolean hasContent(String path) {
    Path p = Path.of(path);
    if (!Files.isDirectory(p)) {
      return Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
    try (java.util.stream.Stream<Path> s = Files.list(p)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return true;
    }
  }

  /** MemAvailable of /proc/meminfo, in bytes (0 if unreadable: every migration is then refused for memory). */
  static long memAvailable() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.warn("unable to read MemAvailable from /proc/meminfo: {}", e.getMessage());
    }
    return 0;
  }
}
