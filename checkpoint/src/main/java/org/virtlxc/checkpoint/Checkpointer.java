package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.criu.ConsoleTty;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.criu.CriuCommands;
import org.virtlxc.checkpoint.criu.CriuExternals;
import org.virtlxc.checkpoint.criu.CriuProcess;
import org.virtlxc.checkpoint.criu.ExternalNetns;
import org.virtlxc.checkpoint.criu.MountInfo;
import org.virtlxc.checkpoint.job.DomainJob;
import org.virtlxc.checkpoint.job.JobAbortedException;
import org.virtlxc.checkpoint.job.JobOperation;
import org.virtlxc.checkpoint.job.TreeMemory;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.Filesystem;

/**
 * Dumps a running virt-lxc domain's process tree with CRIU into a checkpoint directory and prepares its restore
 * through libvirtd's ordinary start path (see {@link PendingRestore}).
 *
 * <p>A dump either completes (images, {@link CheckpointManifest#FILE}, {@code domain.xml}; without leave-running the
 * tree is gone, so the controller reports EXIT and libvirt shows the domain shut off, reason "shutdown" — the LXC
 * monitor protocol has no "saved") or fails with the domain still running and CRIU's own first error in the message.
 */
public final class Checkpointer {
  private static final Logger LOG = LogManager.getLogger(Checkpointer.class);
  private static final Duration CONTROLLER_EXIT_TIMEOUT = Duration.ofSeconds(15);

  private final Criu criu;
  private final Path stateDir;

  public Checkpointer(Criu criu, Path stateDir) {
    this.criu = Objects.requireNonNull(criu, "criu");
    this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
  }

  /** CRIU from {@link Criu#fromSystemProperty()}, libvirtd's LXC state directory. */
  public static Checkpointer create() {
    return new Checkpointer(Criu.fromSystemProperty(), RunningDomain.LIBVIRT_LXC_STATE_DIR);
  }

  /**
   * Dumps the running domain {@code domainName} into {@code imageDir} (created if missing; must hold no earlier dump).
   * Without {@link DumpOptions#leaveRunning()} returns once the domain's controller has gone (libvirt shows it shut
   * off).
   */
  public DumpResult dump(String domainName, Path imageDir, DumpOptions options) throws CheckpointException {
    try (DomainJob job = DomainJob.begin(domainName, JobOperation.CHECKPOINT)) {
      try {
        DumpResult result = dump(domainName, imageDir, options, job);
        job.succeeded();
        return result;
      } catch (CheckpointException e) {
        job.failed(e.getMessage());
        throw e;
      }
    }
  }

  /**
   * As {@link #dump(String, Path, DumpOptions)}, within the caller's {@code job} (a save or migration): phase
   * "dumping", with CRIU's progress as the bytes of its page images against the tree's anonymous memory. When the
   * job is asked to abort while CRIU runs, CRIU is killed, the domain keeps running, everything this dump wrote is
   * removed and the exception's message is "operation aborted: ..." (its cause a {@link JobAbortedException}).
   * Does not close the job.
   */
  public DumpResult dump(String domainName, Path imageDir, DumpOptions options, DomainJob job)
      throws CheckpointException {
    try (DomainJobLock lock = DomainJobLock.acquire(domainName, "dump")) {
      return dumpLocked(domainName, imageDir, options, job);
    }
  }

  /** The CRIU this checkpointer runs. */
  public Criu criu() {
    return criu;
  }

  /** libvirtd's LXC state directory this checkpointer finds running domains in. */
  Path stateDir() {
    return stateDir;
  }

  /** {@link #dump(String, Path, DumpOptions, DomainJob)} for a caller that already holds the domain's lock. */
  DumpResult dumpLocked(String domainName, Path imageDir, DumpOptions options, DomainJob job)
      throws CheckpointException {
    return dumpLocked(domainName, imageDir, options, job, DumpHook.NONE);
  }

  /** As {@link #dumpLocked(String, Path, DumpOptions, DomainJob)}, running {@code hook} around CRIU. */
  DumpResult dumpLocked(String domainName, Path imageDir, DumpOptions options, DomainJob job, DumpHook hook)
      throws CheckpointException {
    RunningDomain running = RunningDomain.find(domainName, stateDir);
    String what = "unable to dump domain " + domainName;
    Optional<String> freezer = running.freezerState();
    if (freezer.isPresent() && !freezer.get().equals("THAWED")) {
      throw new CheckpointException(what + ": it is paused (freezer " + freezer.get() + "); resume it first");
    }
    Path dir = imageDir.toAbsolutePath().normalize();
    DumpLeftovers leftovers = DumpLeftovers.before(dir);
    prepareImageDir(what, dir);

    CriuExternals externals;
    try {
      ConsoleTty tty = ConsoleTty.ofInit(running.initPid());
      List<MountInfo> mounts = MountInfo.of(running.initPid());
      externals = new CriuExternals(tty, MountInfo.mountPointsOf(tty, mounts), bindTargets(running.domain()),
          ExternalNetns.of(running.initPid(), running.controllerPid()).orElse(null),
          MountInfo.extraConsoles(tty, mounts));
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to inspect its init " + running.initPid() + ": " + e.getMessage(),
          e);
    }
    Domain domain = running.domain();
    CheckpointManifest manifest = new CheckpointManifest(domainName, domain.uuid(), running.initPid(), externals,
        Instant.now());
    try {
      Files.writeString(dir.resolve(CheckpointManifest.DOMAIN_XML), DomainXml.format(domain), StandardCharsets.UTF_8);
      manifest.write(dir);
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to write into " + dir + ": " + e.getMessage(), e);
    }

    List<String> extra = new ArrayList<>();
    if (options.leaveStopped() && !options.leaveRunning()) {
      extra.add("--leave-stopped");
    }
    extra.addAll(options.extraCriuArgs());
    List<String> cmd = criu.command(CriuCommands.dump(running.initPid(), dir, externals, options.leaveRunning(),
        extra));
    LOG.info("dumping {} (init {}): {}", domainName, running.initPid(), String.join(" ", cmd));
    job.phase("dumping");
    DumpWatch watch = new DumpWatch(job, dir, TreeMemory.anonymousBytes(running.initPid()), hook);
    long t0 = System.nanoTime();
    Optional<String> failure;
    try {
      hook.beforeCriu(dir);
    } catch (IOException e) {
      hook.criuEnded();
      discardManifest(dir);
      throw new CheckpointException(what + " (it keeps running): unable to prepare " + dir + ": " + e.getMessage(), e);
    }
    try {
      failure = watch.aborted() ? Optional.of(DumpWatch.ABORTED)
          : runCriu(cmd, dir, dir.resolve("dump.log"), options.timeout(), watch);
    } finally {
      hook.criuEnded();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    if (failure.isPresent() && failure.get().equals(DumpWatch.ABORTED)) {
      leftovers.remove();
      JobAbortedException abort = new JobAbortedException(job.operation(), domainName);
      LOG.info("dump of {} aborted after {} ms; CRIU killed, {} cleaned up, domain {}", domainName, took.toMillis(),
          dir, running.freezerState().orElse("running"));
      throw new CheckpointException(abort.getMessage(), abort);
    }
    if (failure.isPresent()) {
      discardManifest(dir);
      throw new CheckpointException(what + " (it keeps running): " + failure.get() + hintFor(failure.get()));
    }
    LOG.info("dumped {} into {} in {} ms", domainName, dir, took.toMillis());
    if (!options.keepsTree()) {
      awaitStopped(running);
    }
    return new DumpResult(dir, manifest, options.keepsTree(), took);
  }

  /**
   * Marks the checkpoint in {@code imageDir} as the domain's pending restore: its next {@code virsh start} restores it
   * instead of booting. Checks that the directory holds a complete dump and that the domain is not running: a marker
   * left for a running domain would outlive it and, at some later start, replace whatever it had become with the old
   * image, or (files it holds open having changed meanwhile) keep it from starting at all.
   */
  public PendingRestore prepareRestore(Path imageDir) throws CheckpointException {
    Path dir = imageDir.toAbsolutePath().normalize();
    CheckpointManifest manifest = CheckpointManifest.read(dir);
    if (!Files.isRegularFile(dir.resolve("inventory.img"))) {
      throw new CheckpointException("unable to prepare the restore of " + manifest.name() + " from " + dir
          + ": no CRIU inventory.img in it");
    }
    Optional<Long> controller = RunningDomain.controllerOf(manifest.name(), stateDir);
    if (controller.isPresent()) {
      throw new CheckpointException("unable to prepare the restore of " + manifest.name() + " from " + dir
          + ": the domain is running (controller " + controller.get() + "); shut it down or destroy it first");
    }
    try {
      PendingRestore pending = PendingRestore.write(manifest, dir);
      LOG.info("domain {} ({}) will be restored from {} at its next start", manifest.name(), manifest.uuid(), dir);
      return pending;
    } catch (IOException e) {
      throw new CheckpointException("unable to prepare the restore of " + manifest.name() + ": " + e.getMessage(), e);
    }
  }

  /** Drops the pending restore of the domain with {@code uuid}, if any; the checkpoint directory is kept. */
  public boolean cancelRestore(String uuid) throws CheckpointException {
    Optional<PendingRestore> pending = PendingRestore.find(uuid);
    if (pending.isEmpty()) {
      return false;
    }
    try {
      pending.get().remove();
      return true;
    } catch (IOException e) {
      throw new CheckpointException("unable to remove pending restore " + pending.get().marker() + ": "
          + e.getMessage(), e);
    }
  }

  /** Targets of the host directories bound into the container ({@code <filesystem type='mount'>} but root). */
  static List<String> bindTargets(Domain domain) {
    List<String> targets = new ArrayList<>();
    if (domain.devices() == null) {
      return targets;
    }
    for (Filesystem fs : domain.devices().filesystems()) {
      String type = fs.type() == null ? "mount" : fs.type();
      String target = fs.target() == null ? null : fs.target().dir();
      if ((type.equals("mount") || type.equals("bind")) && target != null && !target.equals("/")) {
        targets.add(target);
      }
    }
    return targets;
  }

  private static void prepareImageDir(String what, Path dir) throws CheckpointException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to create " + dir + ": " + e.getMessage(), e);
    }
    if (Files.exists(dir.resolve("inventory.img")) || Files.exists(dir.resolve(CheckpointManifest.FILE))) {
      throw new CheckpointException(what + ": " + dir + " already holds a dump; use a fresh directory");
    }
  }

  /** Runs CRIU to completion; the failure text (CRIU's first error, or how it died) if it failed. */
  private static Optional<String> runCriu(List<String> cmd, Path dir, Path log, Duration timeout,
      CriuProcess.Watch watch) throws CheckpointException {
    try {
      return CriuProcess.run(cmd, java.util.Map.of(), log, dir.resolve("criu.out"), timeout, watch);
    } catch (IOException e) {
      throw new CheckpointException("unable to run " + cmd.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted; CRIU was killed (log " + log + ")");
    }
  }

  /** What to do about a CRIU failure whose cause is known, or nothing. */
  static String hintFor(String failure) {
    if (failure.contains("Can't get 1:16 opt")) { // getsockopt(SOL_SOCKET, SO_PASSCRED) on a TCP/UDP socket
      return " (CRIU before 4.2 cannot dump TCP or UDP sockets on Linux >= 6.16: run scripts/setup/install-criu.sh"
          + " for CRIU >= 4.2)";
    }
    return "";
  }

  private static void discardManifest(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve(CheckpointManifest.FILE));
    } catch (IOException e) {
      LOG.warn("unable to remove {} after a failed dump: {}", dir.resolve(CheckpointManifest.FILE), e.getMessage());
    }
  }

  /** The tree is gone: wait for the controller to report EXIT and leave, so that libvirt shows the domain shut off. */
  static void awaitStopped(RunningDomain running) throws CheckpointException {
    try {
      if (!ProcessExit.await(running.controllerPid(), CONTROLLER_EXIT_TIMEOUT)) {
        throw new CheckpointException("domain " + running.name() + " was dumped, but its controller "
            + running.controllerPid() + " is still there after " + CONTROLLER_EXIT_TIMEOUT.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointException("interrupted while waiting for the controller of " + running.name() + " to stop", e);
    }
  }
}
