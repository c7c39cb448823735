package org.virtlxc.checkpoint;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.criu.ConsoleTty;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.criu.CriuCommands;
import org.virtlxc.checkpoint.criu.CriuExternals;
import org.virtlxc.checkpoint.criu.ExternalNetns;
import org.virtlxc.checkpoint.criu.MountInfo;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.job.DomainJob;
import org.virtlxc.checkpoint.job.JobAbortedException;
import org.virtlxc.domainxml.DomainXml;

/**
 * Post-copy migration, source side: a CRIU dump that writes everything but the anonymous memory ({@code criu dump
 * --lazy-pages --leave-stopped}) and then keeps the tree frozen while its own page server hands the memory out.
 *
 * <p>{@link #start} returns once the dump's images are complete and the page server serves: it is then connected to
 * it ({@link #pageConnection()}; CRIU serves exactly one connection, on the loopback). From CRIU's side
 * (criu/cr-dump.c, criu/page-xfer.c): the page server ends when that connection ends, after the lazy-pages daemon
 * asked for its close or simply by end of file; either way CRIU then leaves the tree stopped (SIGSTOP, not killed)
 * and exits 0. So both ways out are the caller's, as with {@link StoppedTree}: {@link #resumeHere} (no destination
 * took the domain: the processes run on where they stopped) or {@link #finish} (every page was transferred: the tree
 * is killed, libvirt shows the domain shut off). A dump that fails before serving has CRIU resume the tree itself.
 *
 * <p>CRIU's page server sizes a pipe to 4 MiB (criu/page-pipe.c {@code pipe_read_dest_init}), which the kernel
 * refuses above {@code fs.pipe-max-size} without CAP_SYS_RESOURCE: see {@link #pipeSizeProblem()}.
 */
public final class LazySave implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(LazySave.class);
  /** The pipe CRIU's lazy page server asks for, rounded as the kernel rounds it (a power of two of pages). */
  static final long CRIU_PAGE_PIPE_BYTES = 4 << 20;
  private static final Duration DUMP_TIMEOUT = DumpOptions.DEFAULT_TIMEOUT;
  private static final Duration CRIU_EXIT_TIMEOUT = Duration.ofSeconds(30);

  private final String domainName;
  private final RunningDomain running;
  private final Path work;
  private final Path imageDir;
  private final Path log;
  private final CheckpointManifest manifest;
  private final Process criu;
  private final Socket pages;
  private final Duration dumpTime;
  private final Instant frozenAt;

  private LazySave(String domainName, RunningDomain running, Path work, Path imageDir, Path log,
      CheckpointManifest manifest, Process criu, Socket pages, Duration dumpTime, Instant frozenAt) {
    this.domainName = domainName;
    this.running = running;
    this.work = work;
    this.imageDir = imageDir;
    this.log = log;
    this.manifest = manifest;
    this.criu = criu;
    this.pages = pages;
    this.dumpTime = dumpTime;
    this.frozenAt = frozenAt;
  }

  /**
   * Why CRIU's lazy page server cannot work on this host, or empty: {@code fs.pipe-max-size} below 4 MiB without
   * CAP_SYS_RESOURCE (CRIU then fails the first page request with "page-pipe: splice: -1: Bad file descriptor").
   */
  public static Optional<String> pipeSizeProblem() {
    long max;
    try {
      // readAllLines, not readString: the latter reads "4" of "4194304" from this sysctl file (JDK 17, Linux 6.18)
      max = Long.parseLong(String.join("", Files.readAllLines(Path.of("/proc/sys/fs/pipe-max-size"))).strip());
    } catch (IOException | NumberFormatException e) {
      return Optional.of("unable to read /proc/sys/fs/pipe-max-size: " + e.getMessage());
    }
    if (max >= CRIU_PAGE_PIPE_BYTES || hasCapSysResource()) {
      return Optional.empty();
    }
    return Optional.of("CRIU's lazy page server needs a " + (CRIU_PAGE_PIPE_BYTES >> 20) + " MiB pipe, above this"
        + " host's fs.pipe-max-size (" + max + " bytes), and this process lacks CAP_SYS_RESOURCE; raise it as root:"
        + " sysctl fs.pipe-max-size=" + CRIU_PAGE_PIPE_BYTES + " (scripts/setup/ensure-sysctls.sh)");
  }

  private static boolean hasCapSysResource() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 24)) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("unable to read the capabilities of this process: {}", e.getMessage());
    }
    return false;
  }

  /**
   * Dumps the running domain {@code domainName} lazily into a work directory below {@code workParent} and returns
   * once CRIU serves its memory. The caller holds the domain's lock and runs {@code job} (phase "dumping"; an abort
   * meanwhile kills CRIU, as {@link Checkpointer} does). On failure the domain keeps running and nothing is left.
   */
  public static LazySave start(Criu criuBinary, String domainName, Path workParent, DomainJob job)
      throws CheckpointException {
    String what = "unable to dump domain " + domainName;
    RunningDomain running = RunningDomain.find(domainName, RunningDomain.LIBVIRT_LXC_STATE_DIR);
    Optional<String> freezer = running.freezerState();
    if (freezer.isPresent() && !freezer.get().equals("THAWED")) {
      throw new CheckpointException(what + ": it is paused (freezer " + freezer.get() + "); resume it first");
    }
    Path work;
    try {
      Files.createDirectories(workParent);
      work = Files.createTempDirectory(workParent, "." + domainName + ".lazy-");
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to create a work directory in " + workParent + ": "
          + e.getMessage(), e);
    }
    try {
      return start(criuBinary, domainName, running, work, job, what);
    } catch (CheckpointException | RuntimeException e) {
      deleteQuietly(work);
      throw e;
    }
  }

  private static LazySave start(Criu criuBinary, String domainName, RunningDomain running, Path work, DomainJob job,
      String what) throws CheckpointException {
    Path dir = work.resolve("criu");
    CheckpointManifest manifest;
    CriuExternals externals;
    try {
      Files.createDirectories(dir);
      ConsoleTty tty = ConsoleTty.ofInit(running.initPid());
      List<MountInfo> mounts = MountInfo.of(running.initPid());
      externals = new CriuExternals(tty, MountInfo.mountPointsOf(tty, mounts),
          Checkpointer.bindTargets(running.domain()),
          ExternalNetns.of(running.initPid(), running.controllerPid()).orElse(null),
          MountInfo.extraConsoles(tty, mounts));
      manifest = new CheckpointManifest(domainName, running.domain().uuid(), running.initPid(), externals,
          Instant.now());
      Files.writeString(dir.resolve(CheckpointManifest.DOMAIN_XML), DomainXml.format(running.domain()),
          StandardCharsets.UTF_8);
      manifest.write(dir);
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to prepare its dump in " + dir + ": " + e.getMessage(), e);
    }
    int port = freeLoopbackPort(what);
    // the log goes outside the image directory: CRIU writes to it while it serves pages, after the image is sent
    Path log = work.resolve("dump.log");
    List<String> cmd = criuBinary.command(CriuCommands.dump(running.initPid(), dir, externals, false, List.of(
        "--leave-stopped", "--lazy-pages", "--address", "127.0.0.1", "--port", Integer.toString(port),
        "-o", log.toString())));
    LOG.info("dumping {} lazily (init {}): {}", domainName, running.initPid(), String.join(" ", cmd));
    job.phase("dumping");
    long t0 = System.nanoTime();
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("criu.out").toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    } catch (IOException e) {
      throw new CheckpointException("unable to run " + cmd.get(0) + ": " + e.getMessage(), e);
    }
    Socket pages = awaitPageServer(p, port, log, work, job, domainName, what);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    LOG.info("dumped {} lazily into {} in {} ms; its page server serves on 127.0.0.1:{}", domainName, dir,
        took.toMillis(), port);
    return new LazySave(domainName, running, work, dir, log, manifest, p, pages, took, Instant.now());
  }

  /** Connects to CRIU's page server as soon as it listens: the images are complete then. */
  private static Socket awaitPageServer(Process p, int port, Path log, Path work, DomainJob job, String domainName,
      String what) throws CheckpointException {
    long deadline = System.nanoTime() + DUMP_TIMEOUT.toNanos();
    while (true) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return s;
      } catch (ConnectException notYet) {
        closeQuietly(s);
      } catch (IOException e) {
        closeQuietly(s);
        p.destroyForcibly();
        throw new CheckpointException(what + ": unable to connect to its CRIU page server on 127.0.0.1:" + port
            + ": " + e.getMessage(), e);
      }
      if (!p.isAlive()) { // a failed dump: CRIU resumed the tree itself
        throw new CheckpointException(what + " (it keeps running): " + criuFailure(p, log, work));
      }
      if (job.abortRequested()) {
        killAndWait(p);
        JobAbortedException abort = new JobAbortedException(job.operation(), domainName);
        throw new CheckpointException(abort.getMessage(), abort);
      }
      if (System.nanoTime() - deadline > 0) {
        killAndWait(p);
        throw new CheckpointException(what + " (it keeps running): CRIU did not finish the dump within "
            + DUMP_TIMEOUT.toSeconds() + " s and was killed (log " + log + ")");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        killAndWait(p);
        throw new CheckpointException("interrupted while dumping domain " + domainName, e);
      }
    }
  }

  /** The domain. */
  public String domainName() {
    return domainName;
  }

  /** The connection to CRIU's page server (the one it serves). */
  public Socket pageConnection() {
    return pages;
  }

  /** The tree CRIU holds frozen and leaves stopped when its page server ends. */
  public StoppedTree tree() {
    return new StoppedTree(domainName, running.controllerPid(), running.initPid());
  }

  /** How long CRIU took from its start to serving (freeze and the dump of everything but the memory). */
  public Duration dumpTime() {
    return dumpTime;
  }

  /** When the page server began to serve. */
  public Instant frozenAt() {
    return frozenAt;
  }

  /**
   * Writes the save image of everything dumped (no anonymous memory: the destination fetches that from the page
   * server) to {@code out}, which is not closed.
   */
  public Manifest writeImage(SaveService saves, SaveOptions options, DomainJob job, OutputStream out)
      throws IOException {
    SaveService.ImageParts parts = saves.imageParts(new DumpResult(imageDir, manifest, true, dumpTime), running,
        options);
    return SaveService.imageWriter(options, job).writeTo(out, parts.manifest(), parts.members());
  }

  /**
   * No destination runs the domain: ends the page server (CRIU then leaves the tree stopped and exits) and lets the
   * processes run on where they stopped.
   */
  public void resumeHere() throws CheckpointException {
    endPageServer();
    try {
      tree().resume();
    } catch (CheckpointException e) {
      // CRIU resumes the tree itself when its page session failed (e.g. cut in the middle of a page): a short-lived
      // process listed then may have ended before the signal; once more with the processes there now
      LOG.debug("resuming {} again: {}", domainName, e.getMessage());
      tree().resume();
    }
    LOG.info("post-copy dump of {} abandoned: its processes run on here", domainName);
  }

  /**
   * Makes sure the tree never runs here again on its own: queues SIGSTOP for every process of it while CRIU still
   * holds them. CRIU resumes the tree when its page session fails ({@code TASK_ALIVE} in criu/cr-dump.c), which after
   * the destination resumed the domain would run it twice; with a stop queued, its detach leaves each process stopped,
   * as CRIU's own {@code --leave-stopped} does (compel_resume_task_sig: SIGSTOP, then PTRACE_DETACH). Call before
   * the destination may let the domain run.
   */
  public void holdStopped() throws CheckpointException {
    StoppedTree tree = tree();
    List<String> cmd = new java.util.ArrayList<>(List.of("kill", "-STOP", Long.toString(tree.initPid())));
    ProcessHandle.of(tree.initPid()).ifPresent(h -> h.descendants().forEach(d -> cmd.add(Long.toString(d.pid()))));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new CheckpointException("unable to hold the processes of domain " + domainName + " stopped: "
            + String.join(" ", cmd) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new CheckpointException("unable to hold the processes of domain " + domainName + " stopped: "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointException("interrupted while stopping domain " + domainName, e);
    }
  }

  /**
   * Every page reached the destination, which runs the domain: waits for CRIU to end (it does once the lazy-pages
   * daemon closed its connection), then kills the stopped tree (libvirt shows the domain shut off here).
   */
  public void finish() throws CheckpointException {
    endPageServer();
    tree().kill();
  }

  /**
   * The page transfer broke after the destination let the domain run: ends CRIU and leaves the tree stopped (its
   * memory is as at the freeze, but the domain ran on elsewhere meanwhile).
   */
  public void keepStopped() {
    try {
      endPageServer();
    } catch (CheckpointException e) {
      LOG.warn("{}", e.getMessage());
    }
  }

  /** Waits for CRIU to leave (closing the page connection ends its page server); kills it if it does not. */
  private void endPageServer() throws CheckpointException {
    closeQuietly(pages);
    try {
      if (!criu.waitFor(CRIU_EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        killAndWait(criu);
        throw new CheckpointException("CRIU's page server for " + domainName + " did not end within "
            + CRIU_EXIT_TIMEOUT.toSeconds() + " s of its connection's end and was killed (log " + log + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointException("interrupted while waiting for CRIU's page server for " + domainName, e);
    }
    if (criu.exitValue() != 0) {
      LOG.warn("CRIU's page server for {} ended with status {}: {}", domainName, criu.exitValue(),
          Criu.firstError(log).orElse("(no error in " + log + ")"));
    }
  }

  /** Removes the work directory; a CRIU still running is ended first (the tree is then left stopped). */
  @Override
  public void close() {
    if (criu.isAlive()) {
      keepStopped();
    }
    deleteQuietly(work);
  }

  private static String criuFailure(Process p, Path log, Path work) {
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Optional<String> error = Criu.firstError(log);
    if (error.isPresent()) {
      return "CRIU: " + error.get() + Checkpointer.hintFor(error.get());
    }
    String out = "";
    try {
      out = Files.readString(work.resolve("criu.out"), StandardCharsets.ISO_8859_1).strip();
    } catch (IOException e) {
      // nothing to quote
    }
    return "CRIU exited with status " + p.exitValue() + (out.isEmpty() ? "" : ": " + out.lines().findFirst()
        .orElse("")) + Criu.lastLine(log).map(l -> "; last log line: " + l).orElse("");
  }

  private static int freeLoopbackPort(String what) throws CheckpointException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new CheckpointException(what + ": no free loopback port for CRIU's page server: " + e.getMessage(), e);
    }
  }

  private static void killAndWait(Process p) {
    try {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      Tree.delete(dir);
    } catch (IOException e) {
      LOG.warn("unable to remove {}: {}", dir, e.getMessage());
    }
  }
}
