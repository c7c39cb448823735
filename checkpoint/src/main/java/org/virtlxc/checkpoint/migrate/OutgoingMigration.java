package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.DomainJobLock;
import org.virtlxc.checkpoint.RunningDomain;
import org.virtlxc.checkpoint.SaveOptions;
import org.virtlxc.checkpoint.SaveResult;
import org.virtlxc.checkpoint.SaveService;
import org.virtlxc.checkpoint.StoppedTree;
import org.virtlxc.checkpoint.StreamedSave;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.checkpoint.job.DomainJob;
import org.virtlxc.checkpoint.job.JobAbortedException;
import org.virtlxc.checkpoint.job.JobOperation;
import org.virtlxc.checkpoint.job.JobRegistry;
import org.virtlxc.checkpoint.job.TreeMemory;
import org.virtlxc.checkpoint.migrate.storage.TreeSender;

/**
 * The source's side of a migration (stop-and-copy; post-copy in {@link PostcopyOutgoing}): connects to the destination's {@link MigrationService} over TLS,
 * proposes the domain, and when it is accepted dumps the domain with its processes left stopped and streams the save
 * image into the connection ({@link SaveService#saveToStream}). The processes here end only after the destination
 * reports the domain restored, receives the commit and answers that the domain runs; if anything fails before that
 * they run on where they stopped. Runs as an "Outgoing migration" job ({@code domjobinfo}, {@code domjobabort}).
 */
public final class OutgoingMigration {
  private static final Logger LOG = LogManager.getLogger(OutgoingMigration.class);
  /** Where CRIU dumps before the image is streamed (removed afterwards). */
  public static final Path WORK_DIR = Path.of("/var/lib/virt-lxc/migrate");
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
  /** How long the destination may take to unpack the image's end and restore the domain. */
  static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(10);

  private final SaveService saves;
  private final MigrationTls tls;
  private final Criu criu;
  private final Path workDir;

  public OutgoingMigration(SaveService saves, MigrationTls tls, Criu criu, Path workDir) {
    this.saves = Objects.requireNonNull(saves, "saves");
    this.tls = Objects.requireNonNull(tls, "tls");
    this.criu = Objects.requireNonNull(criu, "criu");
    this.workDir = Objects.requireNonNull(workDir, "workDir");
  }

  /**
   * Migrates the running domain {@code domainName} to the service at {@code to}; {@code domainXml} is the definition
   * the destination runs (and defines, with {@link MigrationOptions#persistent()}). Returns once the domain runs there
   * and is shut off here.
   */
  public SaveResult migrate(String domainName, String domainXml, MigrationAddress to, MigrationOptions options)
      throws CheckpointException {
    MigrationModes.check(domainName, options, criu);
    try (DomainJobLock lock = DomainJobLock.acquire(domainName, "migrate");
        DomainJob job = DomainJob.begin(domainName, JobOperation.MIGRATION_OUT)) {
      ScheduledExecutorService timer = timeoutAbort(domainName, options.timeout());
      try {
        SaveResult r = migrateLocked(domainName, domainXml, to, options, job);
        job.phase("completed");
        job.progress(r.bytes(), r.bytes(), 0, 0); // domjobinfo --completed: the image bytes sent
        job.succeeded();
        return r;
      } catch (CheckpointException e) {
        job.failed(e.getMessage());
        throw e;
      } finally {
        if (timer != null) {
          timer.shutdownNow();
        }
      }
    }
  }

  private SaveResult migrateLocked(String name, String xml, MigrationAddress to, MigrationOptions options,
      DomainJob job) throws CheckpointException {
    String what = "unable to migrate domain " + name + " to " + to;
    RunningDomain running = RunningDomain.find(name, RunningDomain.LIBVIRT_LXC_STATE_DIR);
    HostFacts host;
    try {
      host = HostFacts.current(criu.binary());
    } catch (IOException e) {
      throw new CheckpointException(what + ": " + e.getMessage(), e);
    }
    job.phase("connecting");
    MigrationChannel channel;
    try {
      channel = new MigrationChannel(tls.connect(to.host(), to.port(), CONNECT_TIMEOUT), to.toString());
    } catch (IOException e) {
      throw new CheckpointException(what + ": " + e.getMessage(), e);
    }
    try (channel) {
      job.phase("asking the destination");
      MigrationMessage answer;
      long memory = TreeMemory.anonymousBytes(running.initPid());
      try {
        channel.send(new MigrationMessage.Hello(MigrationMessage.PROTOCOL, name, running.domain().uuid(), xml, host,
            memory, IncomingCheck.sharedPaths(running.domain()), options.persistent(),
            options.compression() != org.virtlxc.checkpoint.image.Compression.NONE, options.postcopy(),
            options.copyStorage()));
        answer = channel.receive(ANSWER_TIMEOUT);
      } catch (SSLException e) {
        throw new CheckpointException(what + ": " + MigrationTls.clientFailure(to.toString(), e), e);
      } catch (IOException e) {
        throw new CheckpointException(what + ": " + firstExchangeFailure(channel, to, e), e);
      }
      if (answer instanceof MigrationMessage.Refuse r) {
        throw new CheckpointException(what + ": the destination refuses: " + String.join("; ", r.reasons()));
      }
      if (!(answer instanceof MigrationMessage.Accept a)) {
        throw new CheckpointException(what + ": protocol error: expected accept or refuse, got " + answer);
      }
      a.warnings().forEach(w -> LOG.warn("migration of {} to {}: {}", name, to, w));
      if (options.postcopy()) {
        return new PostcopyOutgoing(saves, tls, criu, workDir).migrate(name, xml, to, channel, a, options, memory,
            job);
      }
      List<String> trees = options.copyStorage() == StorageCopy.NONE ? List.of() : StorageSync.trees(running.domain());
      if (!trees.isEmpty()) {
        job.phase("copying storage");
        try {
          MigrationMessage.StorageSynced synced = StorageSync.push(channel, trees, 1, abortCheck(job));
          LOG.info("storage of {} copied to {} while it runs: {} files, {} bytes", name, to, synced.files(),
              synced.bytes());
        } catch (IOException e) {
          throw new CheckpointException(what + ": " + e.getMessage(), e);
        }
      }
      SaveOptions save = SaveOptions.defaults().withRunState(RunState.RUNNING).withCompression(options.compression())
          .withDomainXml(xml).withListener(options.listener());
      AtomicBoolean committed = new AtomicBoolean();
      Thread resumeOnExit = resumeOnExit(new StoppedTree(name, running.controllerPid(), running.initPid()), committed);
      try {
        return saves.saveToStream(name, workDir, new ToDestination(channel, job, committed, trees), save, job);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(resumeOnExit);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs (or ran) instead
        }
      }
    }
  }

  /**
   * Killed (SIGTERM, Ctrl-C) before the commit, this process would leave the domain's dumped processes stopped for
   * ever: the hook continues them (the destination, seeing the connection end before a commit, destroys its copy).
   * After the commit it leaves them stopped, as the destination may run the domain.
   */
  private static Thread resumeOnExit(StoppedTree tree, AtomicBoolean committed) {
    Thread hook = new Thread(() -> {
      if (!committed.get()) {
        try {
          tree.resume();
          System.err.println("virt-lxc: migration of " + tree.domainName() + " interrupted before the commit: its"
              + " processes run on here");
        } catch (CheckpointException e) {
          System.err.println("virt-lxc: " + e.getMessage());
        }
      }
    }, "migration-resume-on-exit");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /**
   * Why the first exchange after the handshake failed. With TLS 1.3 the destination checks this host's certificate
   * after the client's handshake has completed, so its refusal shows up as a broken connection at the first write; the
   * refusal's alert may still be there to read.
   */
  private static String firstExchangeFailure(MigrationChannel channel, MigrationAddress to, IOException e) {
    try {
      channel.receive(Duration.ofSeconds(2));
    } catch (SSLException alert) {
      return MigrationTls.clientFailure(to.toString(), alert);
    } catch (IOException other) {
      // no alert to read
    }
    return "the migration service at " + to + " closed the connection right after the TLS handshake (" + e.getMessage()
        + "): it most likely refused this host's certificate (its log says why); it must be signed by the CA the"
        + " destination trusts (its cacert.pem)";
  }

  /** The image goes into the channel; the destination's answers decide the stopped tree's fate. */
  private record ToDestination(MigrationChannel channel, DomainJob job, AtomicBoolean committed, List<String> trees)
      implements StreamedSave {
    /** The image's stream; with a storage copy, first its final pass (the processes are stopped now). */
    @Override
    public OutputStream imageStream() throws IOException {
      if (!trees.isEmpty()) {
        job.phase("copying storage (final pass)");
        MigrationMessage.StorageSynced synced = StorageSync.push(channel, trees, 2, abortCheck(job));
        LOG.info("storage copied while stopped: {} files, {} bytes", synced.files(), synced.bytes());
        job.phase("writing image");
      }
      return channel.imageOutput();
    }

    @Override
    public void imageFailed(String reason) {
      channel.abortImage(reason == null ? "the source failed" : reason);
    }

    @Override
    public Decision imageSent() {
      job.phase("restoring on the destination");
      MigrationMessage m;
      try {
        m = receiveUnlessAborted();
      } catch (JobAbortedException e) {
        // the connection is closed before any commit: the destination destroys whatever it restored
        return Decision.resume(e.getMessage());
      } catch (IOException e) {
        // no Restored: the destination never gets a commit and destroys whatever it restored
        return Decision.resume("the destination did not report the domain restored: " + e.getMessage());
      }
      if (m instanceof MigrationMessage.Failed f) {
        return Decision.resume("the destination failed: " + f.reason());
      }
      if (!(m instanceof MigrationMessage.Restored)) {
        return Decision.resume("protocol error: expected restored or failed, got " + m);
      }
      try {
        committed.set(true); // from here on, an exit leaves the processes stopped: the destination may run them
        channel.send(new MigrationMessage.Commit(((MigrationMessage.Restored) m).domainName()));
      } catch (IOException e) {
        // the commit was not (completely) sent: the destination destroys its copy
        return Decision.resume("unable to send the commit to the destination: " + e.getMessage());
      }
      try {
        MigrationMessage done = channel.receive(RESTORE_TIMEOUT);
        if (done instanceof MigrationMessage.Done) {
          return Decision.kill();
        }
        if (done instanceof MigrationMessage.Failed f) {
          return Decision.resume("the destination failed after the commit: " + f.reason());
        }
        return Decision.keepStopped("protocol error: expected done after the commit, got " + done);
      } catch (IOException e) {
        return Decision.keepStopped("the connection to the destination ended after the commit (" + e.getMessage()
            + "), so whether the domain runs there is unknown");
      }
    }

    /** The destination's answer to the image; a {@code domjobabort} meanwhile closes the connection and aborts. */
    private MigrationMessage receiveUnlessAborted() throws IOException {
      return channel.receiveWatching(RESTORE_TIMEOUT, () -> {
        if (job.abortRequested()) {
          channel.close();
          throw new JobAbortedException(job.operation(), job.domain());
        }
      });
    }
  }

  /** A storage copy's progress that ends it (about every 200 ms checked) once {@code domjobabort} asked. */
  private static TreeSender.Progress abortCheck(DomainJob job) {
    long[] next = {System.nanoTime()};
    return bytes -> {
      long now = System.nanoTime();
      if (now >= next[0]) {
        next[0] = now + TimeUnit.MILLISECONDS.toNanos(200);
        if (job.abortRequested()) {
          throw new JobAbortedException(job.operation(), job.domain());
        }
      }
    };
  }

  /** With a timeout, asks the job to abort when it expires (as {@code domjobabort} does). */
  private static ScheduledExecutorService timeoutAbort(String name, Duration timeout) {
    if (timeout == null) {
      return null;
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "migration-timeout");
      t.setDaemon(true);
      return t;
    });
    timer.schedule(() -> {
      try {
        LOG.warn("migration of {} did not finish in {} s: aborting it", name, timeout.toSeconds());
        JobRegistry.system().requestAbort(name);
      } catch (IOException e) {
        LOG.warn("unable to abort the migration of {} after its timeout: {}", name, e.getMessage());
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    return timer;
  }
}
