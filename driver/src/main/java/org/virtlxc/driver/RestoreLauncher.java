package org.virtlxc.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.CheckpointManifest;
import org.virtlxc.checkpoint.PendingRestore;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.criu.CriuCommands;
import org.virtlxc.checkpoint.criu.CriuProcess;
import org.virtlxc.checkpoint.criu.ExtraConsole;
import org.virtlxc.checkpoint.image.CriuImageServer;
import org.virtlxc.checkpoint.image.MembersInPlace;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.Filesystem;
import org.virtlxc.driver.net.FreshNetns;
import org.virtlxc.driver.net.NetworkConfigException;
import org.virtlxc.driver.net.NetworkPlan;
import org.virtlxc.driver.net.NetworkSetup;
import org.virtlxc.nssetup.ContainerProcess;

/**
 * The controller's restore mode: instead of booting init, CRIU rebuilds the saved tree so that its init becomes this
 * process's own child ({@code --restore-detached --restore-sibling}), in the machine cgroup this process already
 * joined (CRIU inherits it; cgroups are not managed by CRIU), with the new console pty slave in place of the saved one.
 *
 * <p>The JDK cannot hand a child an arbitrary fd, so CRIU runs under {@code /bin/sh}, which opens the new pty slave as
 * fd {@value #CONSOLE_FD} and execs CRIU ({@code --inherit-fd fd[3]:tty[…]}). The JDK reaps only the pids it started,
 * so the restored init is waited for by {@link ContainerProcess} like a booted one.
 *
 * <p>A domain with its own network namespace ({@code <interface>}s or {@code <privnet/>}) was dumped with that
 * namespace external: here libvirtd's new veths go into a {@link FreshNetns}, configured by {@link NetworkSetup} as at
 * boot (name, MAC, addresses, routes, MTU, loopback), before CRIU restores the sockets into it (fd {@value #NETNS_FD},
 * {@code --inherit-fd fd[4]:virtlxc-netns}). A namespace shared through {@code <lxc:sharenet>} is the one libvirtd
 * passed ({@code --share-net FD}). Consoles after the first are fds 5, 6, … ({@link ExtraConsole}).
 *
 * <p>When the restore unpacked a save image but left its page images in the file ({@link MembersInPlace}), CRIU runs
 * with {@code --stream} and reads every image from a {@link CriuImageServer} in its images directory, which serves the
 * pages from the save image (refusing one that changed since it was verified) and the rest from the directory.
 */
final class RestoreLauncher {
  /** Images moved aside this long ago belong to a restore whose controller ended before deleting them. */
  static final Duration SPENT_SWEEP_AGE = Duration.ofMinutes(10);

  private static final Logger LOG = LogManager.getLogger(RestoreLauncher.class);
  private static final int CONSOLE_FD = 3;
  private static final int NETNS_FD = 4;
  private static final int FIRST_EXTRA_CONSOLE_FD = 5;
  private static final Duration CRIU_TIMEOUT = Duration.ofMinutes(10);

  private final Criu criu;

  RestoreLauncher(Criu criu) {
    this.criu = criu;
  }

  /** The pending restore of {@code domain}, if one was prepared (see {@link PendingRestore}). */
  static Optional<PendingRestore> pendingFor(Domain domain) throws Controller.StartupException {
    try {
      return domain.uuid() == null ? Optional.empty() : PendingRestore.find(domain.uuid());
    } catch (CheckpointException | IllegalArgumentException e) {
      throw new Controller.StartupException(e.getMessage(), e);
    }
  }

  /**
   * Restores {@code pending} as a child of this process; {@code consoleSlave} is the new console's pty slave,
   * {@code pidFile} a path CRIU may create. On failure nothing of the tree is left (CRIU kills what it restored) and
   * the pending restore is kept.
   */
  ContainerProcess restore(Domain domain, PendingRestore pending, NetworkPlan network, List<String> consoleSlaves,
      Optional<Path> sharedNetns, Path pidFile) throws Controller.StartupException {
    Path images = pending.imageDir();
    String what = "unable to restore domain " + domain.name() + " from " + images;
    CheckpointManifest manifest;
    try {
      manifest = CheckpointManifest.read(images);
    } catch (CheckpointException e) {
      throw new Controller.StartupException(e.getMessage(), e);
    }
    if (!manifest.uuid().equalsIgnoreCase(domain.uuid())) {
      throw new Controller.StartupException(what + ": the checkpoint is of domain " + manifest.name() + " ("
          + manifest.uuid() + "), not " + domain.uuid());
    }
    List<String> externals;
    boolean joinsNetns = !network.isEmpty() || sharedNetns.isPresent();
    try {
      externals = manifest.externals().restoreArgs(CONSOLE_FD, consoleSlaves, FIRST_EXTRA_CONSOLE_FD,
          bindSources(domain, manifest.externals().bindMounts()),
          joinsNetns ? OptionalInt.of(NETNS_FD) : OptionalInt.empty());
    } catch (IllegalArgumentException e) {
      throw new Controller.StartupException(what + ": " + e.getMessage(), e);
    }
    Map<String, String> env = new java.util.HashMap<>(Map.of("VIRTLXC_CONSOLE", consoleSlaves.get(0)));
    StringBuilder redirects = new StringBuilder(CONSOLE_FD + "<>\"$VIRTLXC_CONSOLE\"");
    if (joinsNetns) {
      redirects.append(" " + NETNS_FD + "<\"$VIRTLXC_NETNS\"");
    }
    for (ExtraConsole c : manifest.externals().extraConsoles()) {
      env.put("VIRTLXC_CONSOLE" + c.index(), consoleSlaves.get(c.index()));
      redirects.append(" " + (FIRST_EXTRA_CONSOLE_FD + c.index() - 1) + "<>\"$VIRTLXC_CONSOLE" + c.index() + "\"");
    }
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" " + redirects));
    try {
      if (pending.leaveStopped() || pausedByController(pending)) { // paused: libvirt freezes it, then it continues
        externals = new ArrayList<>(externals);
        externals.add("--leave-stopped");
      }
      if (pending.lazyPages()) { // post-copy: the memory comes from criu lazy-pages through the image directory
        externals = new ArrayList<>(externals);
        externals.add("--lazy-pages");
      }
    } catch (IOException e) {
      throw new Controller.StartupException(what + ": unable to read " + pending.marker() + ": " + e.getMessage(), e);
    }
    Optional<MembersInPlace> inPlace;
    try {
      inPlace = MembersInPlace.read(images);
    } catch (IOException e) {
      throw new Controller.StartupException(what + ": " + e.getMessage(), e);
    }
    if (inPlace.isPresent()) { // the memory pages lie in the save image: CRIU reads every image through the server
      externals = new ArrayList<>(externals);
      externals.add("--stream");
    }
    cmd.addAll(criu.command(CriuCommands.restore(images, rootOf(domain), pidFile, externals)));
    LOG.info("restoring {} from {}: {}", domain.name(), images, String.join(" ", cmd));

    int pid;
    if (network.isEmpty()) { // the host's network namespace, or one shared through <lxc:sharenet>
      sharedNetns.ifPresent(path -> env.put("VIRTLXC_NETNS", path.toString()));
      pid = runCriu(what, cmd, env, images.resolve("restore.log"), pidFile, pending.marker(), inPlace);
    } else { // a fresh network namespace set up as at boot, held until the restored tree lives in it
      try (FreshNetns netns = FreshNetns.create()) {
        NetworkSetup.system().apply(network, netns.holderPid());
        env.put("VIRTLXC_NETNS", netns.path().toString());
        pid = runCriu(what, cmd, env, images.resolve("restore.log"), pidFile, pending.marker(), inPlace);
      } catch (NetworkConfigException e) {
        throw new Controller.StartupException(what + ": " + e.getMessage(), e);
      }
    }
    if (!ProcessHandle.current().children().anyMatch(c -> c.pid() == pid)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // not ours to wait for: leave nothing running
      throw new Controller.StartupException(what + ": the restored init " + pid + " is not a child of the controller");
    }
    LOG.info("restored {}: init pid {}", domain.name(), pid);
    return ContainerProcess.adopt(pid);
  }

  private int runCriu(String what, List<String> cmd, Map<String, String> env, Path log, Path pidFile, Path marker,
      Optional<MembersInPlace> inPlace) throws Controller.StartupException {
    Optional<String> failure;
    CriuImageServer server = null;
    try {
      Files.deleteIfExists(pidFile);
      if (inPlace.isPresent()) {
        server = CriuImageServer.start(log.getParent(), inPlace.get());
        LOG.info("serving CRIU's images for --stream, {} page images from {}", inPlace.get().files().size(),
            inPlace.get().image());
      }
      failure = CriuProcess.run(cmd, env, log, log.resolveSibling("restore.out"), CRIU_TIMEOUT);
    } catch (IOException e) {
      throw new Controller.StartupException(what + ": unable to run CRIU: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Controller.StartupException(what + ": interrupted", e);
    } finally {
      if (server != null) {
        server.close();
      }
    }
    if (failure.isPresent() && server != null && server.failure().isPresent()) {
      failure = Optional.of(server.failure().get() + " (CRIU: " + failure.get() + ")");
    }
    if (failure.isPresent()) { // e.g. a file the tree holds open changed since the dump: the restore stays pending
      throw new Controller.StartupException(what + ": " + failure.get() + "; pending restore " + marker
          + " kept: start again once fixed, or remove it to boot afresh");
    }
    try {
      int pid = Integer.parseInt(Files.readString(pidFile).strip());
      Files.deleteIfExists(pidFile);
      return pid;
    } catch (IOException | NumberFormatException e) {
      throw new Controller.StartupException(what + ": CRIU succeeded but its pid file " + pidFile + " is unusable: "
          + e.getMessage(), e);
    }
  }

  /**
   * Whether a plain start of {@code pending} (a managed save taken paused) is paused by the controller itself, see
   * {@link PausedStart}; false when the marker cannot be read (it then restores running).
   */
  static boolean pausedByController(PendingRestore pending) {
    try {
      return PausedStart.wanted(pending.runState(), pending.leaveStopped());
    } catch (IOException e) {
      LOG.warn("unable to read {}: {}", pending.marker(), e.getMessage());
      return false;
    }
  }

  /** The root filesystem's host directory ({@code <filesystem>} targeting {@code /}), or {@code /}. */
  private static Path rootOf(Domain domain) {
    if (domain.devices() != null) {
      for (Filesystem fs : domain.devices().filesystems()) {
        if (fs.target() != null && "/".equals(fs.target().dir()) && fs.source() != null && fs.source().dir() != null) {
          return Path.of(fs.source().dir());
        }
      }
    }
    return Path.of("/");
  }

  /**
   * The restored domain runs and libvirtd is about to learn so: the pending restore is done. Its marker goes, and the
   * images it owns (a managed save or an unpacked save image; others are kept) are moved aside, returned for
   * {@link #deleteSpent} once libvirtd has its answer.
   */
  static Optional<Path> retire(PendingRestore pending) {
    try {
      return pending.retire();
    } catch (IOException e) {
      LOG.warn("restored, but unable to remove the pending restore marker {}: {}", pending.marker(), e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Deletes the images {@link #retire} moved aside, and any that a controller which ended too soon left aside at
   * least {@link #SPENT_SWEEP_AGE} ago, of any domain.
   */
  static void deleteSpent(Path spent) {
    try {
      PendingRestore.deleteSpent(spent);
    } catch (IOException e) {
      LOG.warn("unable to delete the restored images {}: {}", spent, e.getMessage());
    }
    int stale = PendingRestore.sweepSpent(SPENT_SWEEP_AGE);
    if (stale > 0) {
      LOG.info("deleted {} restored image directories left behind by earlier restores", stale);
    }
  }


  /** For each bind mount target recorded at dump time, its host source in the domain being started. */
  private static List<String> bindSources(Domain domain, List<String> targets) {
    List<String> sources = new ArrayList<>();
    for (String target : targets) {
      String source = null;
      if (domain.devices() != null) {
        for (Filesystem fs : domain.devices().filesystems()) {
          if (fs.target() != null && target.equals(fs.target().dir()) && fs.source() != null) {
            source = fs.source().dir();
          }
        }
      }
      if (source == null) {
        throw new IllegalArgumentException("the checkpoint has a host directory mounted at " + target
            + ", the domain has no <filesystem> with that <target dir>");
      }
      sources.add(source);
    }
    return sources;
  }
}
