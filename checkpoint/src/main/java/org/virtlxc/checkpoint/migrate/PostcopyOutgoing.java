package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.LazySave;
import org.virtlxc.checkpoint.SaveListener;
import org.virtlxc.checkpoint.SaveOptions;
import org.virtlxc.checkpoint.SaveResult;
import org.virtlxc.checkpoint.SaveService;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.checkpoint.image.WriteProgress;
import org.virtlxc.checkpoint.job.DomainJob;
import org.virtlxc.checkpoint.job.JobAbortedException;

/**
 * The source's side of a post-copy migration, after the destination accepted it: dumps the domain lazily
 * ({@link LazySave}: everything but the anonymous memory, which CRIU's page server keeps serving), opens the page
 * connection ({@link MigrationMessage.Pages}) and relays it to that page server, streams the small image, and on the
 * destination's "restored" commits. From the commit on the domain runs on the destination while its memory is pulled
 * on demand and pushed in the background; once the destination reports every page in, CRIU's page server has ended
 * and the stopped tree here is killed.
 *
 * <p>Before the commit every failure (refusal, restore failure, broken connection, {@code domjobabort}, timeout, a
 * killed command) ends CRIU's page server and lets the processes here run on where they stopped: nothing is lost.
 * After it, nothing can be undone: the memory exists only here until it has been transferred, so a page transfer
 * that breaks leaves the domain's processes stopped here and destroyed on the destination, and the error says so.
 */
final class PostcopyOutgoing {
  private static final Logger LOG = LogManager.getLogger(PostcopyOutgoing.class);
  /** How long the destination may take from the commit to the last page (the transfer runs meanwhile). */
  static final Duration PAGES_TIMEOUT = Duration.ofHours(1);

  private final SaveService saves;
  private final MigrationTls tls;
  private final Criu criu;
  private final Path workDir;

  PostcopyOutgoing(SaveService saves, MigrationTls tls, Criu criu, Path workDir) {
    this.saves = saves;
    this.tls = tls;
    this.criu = criu;
    this.workDir = workDir;
  }

  /** Runs the migration the destination accepted with {@code accept} on {@code channel}. */
  SaveResult migrate(String name, String xml, MigrationAddress to, MigrationChannel channel,
      MigrationMessage.Accept accept, MigrationOptions options, long memoryBytes, DomainJob job)
      throws CheckpointException {
    String what = "unable to migrate domain " + name + " to " + to;
    if (accept.pageToken() == null) {
      throw new CheckpointException(what + ": the destination's virt-lxc does not offer post-copy (an older"
          + " version); migrate without --postcopy");
    }
    long t0 = System.nanoTime();
    MigrationChannel pages; // opened before the freeze: its TLS handshake is no downtime
    try {
      pages = new MigrationChannel(tls.connect(to.host(), to.port(), OutgoingMigration.CONNECT_TIMEOUT),
          to + " (pages)");
      pages.send(new MigrationMessage.Pages(accept.pageToken()));
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to open the page connection: " + e.getMessage(), e);
    }
    options.listener().phase(SaveListener.Phase.DUMP);
    LazySave lazy;
    try {
      lazy = LazySave.start(criu, name, workDir, job);
    } catch (CheckpointException e) {
      pages.close();
      channel.abortImage(e.getMessage());
      throw e;
    }
    AtomicBoolean committed = new AtomicBoolean();
    Thread hook = onExit(lazy, committed);
    try (lazy) {
      SaveResult r = migrateDumped(lazy, pages, what, xml, channel, options, memoryBytes, job, committed);
      return new SaveResult(name, null, RunState.RUNNING, false, lazy.dumpTime(),
          Duration.ofNanos(System.nanoTime() - t0), r.bytes());
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran) instead
      }
    }
  }

  private SaveResult migrateDumped(LazySave lazy, MigrationChannel pages, String what, String xml,
      MigrationChannel channel, MigrationOptions options, long memoryBytes, DomainJob job, AtomicBoolean committed)
      throws CheckpointException {
    String name = lazy.domainName();
    PageRelay relay;
    try {
      relay = PageRelay.start(lazy.pageConnection(), pages);
    } catch (IOException e) {
      pages.close();
      channel.abortImage("no page relay");
      throw resumed(lazy, what, "unable to relay the page connection: " + e.getMessage());
    }
    try (relay) {
      job.phase("writing image");
      options.listener().phase(SaveListener.Phase.WRITE_IMAGE);
      SaveOptions save = SaveOptions.defaults().withRunState(RunState.RUNNING).withCompression(options.compression())
          .withDomainXml(xml); // no listener: --verbose shows the memory's transfer, the image is small
      Manifest written;
      try (OutputStream out = channel.imageOutput()) {
        written = lazy.writeImage(saves, save, job, out);
      } catch (IOException | RuntimeException e) {
        channel.abortImage(String.valueOf(e.getMessage()));
        throw resumed(lazy, what, abortOr(e));
      }
      job.phase("restoring on the destination");
      MigrationMessage m;
      try {
        m = channel.receiveWatching(OutgoingMigration.RESTORE_TIMEOUT, () -> {
          if (job.abortRequested()) {
            throw new JobAbortedException(job.operation(), job.domain());
          }
        });
      } catch (JobAbortedException e) {
        channel.close(); // no commit: the destination destroys what it restored
        throw resumed(lazy, what, e.getMessage());
      } catch (IOException e) {
        throw resumed(lazy, what, "the destination did not report the domain restored: " + e.getMessage());
      }
      if (m instanceof MigrationMessage.Failed f) {
        throw resumed(lazy, what, "the destination failed: " + f.reason());
      }
      if (!(m instanceof MigrationMessage.Restored)) {
        throw resumed(lazy, what, "protocol error: expected restored or failed, got " + m);
      }
      try {
        lazy.holdStopped(); // from the commit on, CRIU must not resume the tree here, whatever happens
      } catch (CheckpointException e) {
        channel.close(); // no commit: the destination destroys what it restored
        throw resumed(lazy, what, e.getMessage());
      }
      committed.set(true);
      try {
        channel.send(new MigrationMessage.Commit(name));
      } catch (IOException e) {
        committed.set(false); // the destination, without a commit, destroys its copy
        throw resumed(lazy, what, "unable to send the commit to the destination: " + e.getMessage());
      }
      LOG.info("post-copy of {}: committed {} ms after the freeze; its memory follows", name,
          Duration.between(lazy.frozenAt(), java.time.Instant.now()).toMillis());
      job.phase("post-copy: running on the destination, sending memory");
      long total = Math.max(memoryBytes, 1);
      MigrationMessage done;
      try {
        done = channel.receiveWatching(PAGES_TIMEOUT, () -> {
          long sent = relay.bytesToRemote();
          job.progress(sent, Math.max(sent, total), sent, Math.max(sent, total));
          try {
            options.listener().progress(new WriteProgress(sent, Math.max(sent, total), Math.min(sent, total - 1),
                total));
          } catch (RuntimeException e) {
            LOG.debug("progress listener failed: {}", e.toString());
          }
        });
      } catch (IOException e) {
        // the page connection may still complete the transfer: let it end by itself before judging
        boolean ended = awaitQuietly(relay, PAGES_TIMEOUT);
        lazy.keepStopped();
        String transfer = !ended ? "the memory transfer did not end within " + PAGES_TIMEOUT.toMinutes() + " min"
            : relay.failure() != null ? "the memory transfer broke (" + relay.failure() + ")"
            : "the memory transfer then ended";
        throw new CheckpointException(what + ": the connection to the destination ended after the domain resumed"
            + " there (" + e.getMessage() + "), and " + transfer + ": whether the domain runs there is unknown; its"
            + " processes here stay stopped (init " + lazy.tree().initPid() + "), their memory as at the freeze:"
            + " check the destination; if the domain runs there, virsh destroy it here");
      }
      if (done instanceof MigrationMessage.Failed f) {
        lazy.keepStopped();
        throw new CheckpointException(what + ": " + f.reason() + cannotUndo(lazy));
      }
      if (!(done instanceof MigrationMessage.Done)) {
        lazy.keepStopped();
        throw new CheckpointException(what + ": protocol error: expected done, got " + done + "; the domain resumed"
            + " on the destination: check it there; its processes here stay stopped (init " + lazy.tree().initPid()
            + ")");
      }
      awaitQuietly(relay, Duration.ofSeconds(30));
      options.listener().progress(new WriteProgress(relay.bytesToRemote(), relay.bytesToRemote(), total, total));
      options.listener().phase(SaveListener.Phase.STOP);
      lazy.finish();
      long bytes = written.payloadBytes() + relay.bytesToRemote();
      LOG.info("post-copy of {} done: image {} bytes, memory {} bytes", name, written.payloadBytes(),
          relay.bytesToRemote());
      return new SaveResult(name, null, RunState.RUNNING, false, lazy.dumpTime(), Duration.ZERO, bytes);
    }
  }

  private static boolean awaitQuietly(PageRelay relay, Duration timeout) {
    try {
      return relay.awaitEnd(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return relay.ended();
    }
  }

  private static String cannotUndo(LazySave lazy) {
    return "; post-copy cannot be undone once the domain resumed on the destination: there it was destroyed (its"
        + " memory was incomplete), and its processes here stay stopped (init " + lazy.tree().initPid() + ") with"
        + " their memory as at the freeze, while the domain ran on the destination meanwhile (its files, its"
        + " connections): continue them with kill -CONT only if that is acceptable, else virsh destroy it here";
  }

  /** A failure before the commit: the page server ends, the processes run on here. */
  private static CheckpointException resumed(LazySave lazy, String what, String reason) {
    try {
      lazy.resumeHere();
      return new CheckpointException(what + " (it keeps running): " + reason);
    } catch (CheckpointException e) {
      return new CheckpointException(what + ": " + reason + "; and the domain's processes stay stopped: "
          + e.getMessage(), e);
    }
  }

  private static String abortOr(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof JobAbortedException) {
        return c.getMessage();
      }
    }
    return String.valueOf(e.getMessage());
  }

  /**
   * Killed (SIGTERM, Ctrl-C) before the commit: ends CRIU's page server and continues the processes here (the
   * destination, seeing the connection end without a commit, destroys its copy). After the commit the page transfer
   * dies with this process: the processes here stay stopped, and the hook says so.
   */
  private static Thread onExit(LazySave lazy, AtomicBoolean committed) {
    Thread hook = new Thread(() -> {
      String name = lazy.domainName();
      if (!committed.get()) {
        try {
          lazy.resumeHere();
          System.err.println("virt-lxc: migration of " + name + " interrupted before the commit: its processes run"
              + " on here");
        } catch (CheckpointException e) {
          System.err.println("virt-lxc: " + e.getMessage());
        }
        lazy.close();
      } else {
        System.err.println("virt-lxc: post-copy migration of " + name + " interrupted after the domain resumed on the"
            + " destination: its memory transfer breaks" + cannotUndo(lazy));
      }
    }, "migration-resume-on-exit");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }
}
