package org.virtlxc.driver;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.cgroups.CgroupException;
import org.virtlxc.cgroups.CgroupLayout;
import org.virtlxc.cgroups.CgroupManager;
import org.virtlxc.cgroups.CgroupManagers;
import org.virtlxc.cgroups.DomainCgroups;
import org.virtlxc.cgroups.MachineCgroup;
import org.virtlxc.checkpoint.PendingRestore;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.domainxml.DomainXmlException;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.DomainStatus;
import org.virtlxc.driver.handshake.Handshake;
import org.virtlxc.driver.handshake.HandshakeException;
import org.virtlxc.driver.monitor.ExitStatus;
import org.virtlxc.driver.monitor.InitRecordWatch;
import org.virtlxc.driver.monitor.MonitorServer;
import org.virtlxc.driver.net.NetworkConfigException;
import org.virtlxc.driver.net.NetworkPlan;
import org.virtlxc.driver.net.NetworkSetup;
import org.virtlxc.nssetup.Libc;
import org.virtlxc.nssetup.ContainerProcess;
import org.virtlxc.nssetup.LaunchException;
import org.virtlxc.nssetup.LaunchPlan;
import org.virtlxc.nssetup.LaunchPlanException;
import org.virtlxc.nssetup.Launcher;
import org.virtlxc.nssetup.Namespace;
import org.virtlxc.nssetup.PlanFromDomain;

/**
 * One domain's controller: owns every resource it creates (monitor socket, console pty and relay, the container init,
 * the machine cgroup, the handshake fds) and releases them in {@link #close()}.
 *
 * <p>Release order is the reverse of creation, except that the init (created before the cgroup) is killed and reaped
 * before the cgroup is removed, since a cgroup with tasks cannot be removed: init, cgroup (after moving this process
 * back out of it), console relay, monitor socket. The handshake fds are closed after the second byte on success and
 * otherwise only by the process's exit (see {@link #close()}).
 *
 * <p>Thread use: {@link #start} and {@link #awaitInitExit} on the main thread; {@link #terminate} from the JVM
 * shutdown hook (SIGTERM from libvirtd's destroy). {@link #close()} is synchronized and idempotent.
 */
public final class Controller implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(Controller.class);
  /** libvirtd waits without limit; this only guards against a libvirtd that vanished without closing the pipe. */
  private static final Duration LIBVIRTD_HANDSHAKE_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(30);
  /** How often to check that libvirtd recorded the init pid, and for how long ({@link InitRecordWatch}). */
  private static final Duration INIT_RECORD_CHECK = Duration.ofSeconds(1);
  private static final Duration INIT_RECORD_GIVE_UP = Duration.ofMinutes(2);

  private final ControllerArgs args;
  private final Path stateDir;
  private final Libc libc = Libc.INSTANCE;
  private final long ownPid = ProcessHandle.current().pid();

  // Resources, set as created; guarded by this for close().
  private MonitorServer monitor;
  private Handshake handshake;
  private ConsoleRelays relay;
  private volatile ContainerProcess init;
  private CgroupLayout layout;
  private CgroupManager cgroup;
  private boolean cgroupJoined;
  private boolean closed;
  private volatile boolean terminating;
  private volatile Thread waiter;
  /** Set once the waiter has reaped init: its pid may belong to another process from then on. */
  private volatile boolean initReaped;

  public Controller(ControllerArgs args, Path stateDir) {
    this.args = Objects.requireNonNull(args, "args");
    this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
  }

  /** Thrown by {@link #start} with the one line libvirtd is to show. */
  public static final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
      super(message, cause);
    }

    public StartupException(String message) {
      super(message);
    }
  }

  /**
   * Everything from reading the status XML to the second handshake byte and the INIT event (reference §3). On failure
   * the caller reports the message and calls {@link #close()}.
   */
  public void start() throws StartupException {
    Path xml = StatusFile.of(stateDir, args.name());
    Domain domain;
    try {
      DomainStatus status = StatusFile.read(xml); // begun by main (StatusFile.readAhead)
      domain = status.domain();
      if (domain == null) {
        throw new StartupException("unable to read " + xml + ": no <domain> in the status file");
      }
    } catch (DomainXmlException e) {
      throw new StartupException("unable to read domain status " + xml + ": " + e.getMessage(), e);
    }

    try {
      register(MonitorServer.start(stateDir.resolve(args.name() + ".sock")));
    } catch (IOException e) {
      throw new StartupException(e.getMessage(), e);
    }
    synchronized (this) {
      handshake = Handshake.fromArgs(args);
    }

    NetworkPlan network;
    try {
      args.validateAgainst(domain);
      network = NetworkPlan.of(domain, args.bindVeths(domain));
    } catch (ControllerArgsException | NetworkConfigException e) {
      throw new StartupException(e.getMessage(), e);
    }

    try {
      layout = CgroupLayout.detect();
    } catch (CgroupException e) {
      throw new StartupException(e.getMessage(), e);
    }

    String missing = FilesystemSources.firstMissing(domain);
    if (missing != null) {
      throw new StartupException(missing);
    }
    ConsoleRelays consoles = ConsoleRelays.start(libc, args.consoleFds());
    synchronized (this) {
      relay = consoles;
    }

    Optional<PendingRestore> pending = RestoreLauncher.pendingFor(domain);
    ContainerProcess started = null;
    boolean pauseRestored = false;
    Optional<Path> spentImages = Optional.empty();
    if (pending.isEmpty()) {
      started = adoptInit(boot(domain, consoles));
    }

    MachineCgroup machine = DomainCgroups.machine(domain, ownPid);
    LeftoverCgroups.remove(layout, machine, args.name());
    try {
      // on systemd hosts with machined, m.create() registers the machine (leader: init, as libvirt) and uses its scope
      CgroupManager m = CgroupManagers.forMachine(layout, machine, domain.uuid(),
          started != null ? started.pid() : ownPid, DomainCgroups.nicIndexes(domain, Path.of("/sys/class/net")));
      synchronized (this) {
        if (closed) {
          throw new StartupException("terminated during start-up");
        }
        m.create();
        cgroup = m;
      }
      m.apply(DomainCgroups.resources(domain));
      synchronized (this) {
        cgroupJoined = true;
        m.addProcess(ownPid);
      }
      if (started != null) {
        m.addProcess(started.pid());
      }
      LOG.info("cgroup {} set up", m.cgroup().path());
    } catch (CgroupException e) {
      throw new StartupException(e.getMessage(), e);
    }
    if (pending.isPresent()) { // restore mode: CRIU rebuilds the saved tree as our child, inside the machine cgroup
      Optional<Path> sharedNetns = args.sharedNamespaceFd(SharedNamespace.NET).stream()
          .mapToObj(fd -> Path.of("/proc/" + ownPid + "/fd/" + fd)).findFirst();
      started = adoptInit(new RestoreLauncher(Criu.fromSystemProperty()).restore(domain, pending.get(), network,
          consoles.slavePaths(), sharedNetns, stateDir.resolve(args.name() + ".restore.pid")));
    }

    try {
      handshake.continueToLibvirtd();
      handshake.awaitLibvirtd(LIBVIRTD_HANDSHAKE_TIMEOUT);
      if (pending.isEmpty()) {
        if (!network.isEmpty()) {
          NetworkSetup.system().apply(network, started.pid());
        }
        started.release(RELEASE_TIMEOUT);
      } else {
        // libvirtd holds the restored domain and waits for our last byte: the pending restore is done now, before
        // 'virsh start' returns, or a save right after it would find the restore still pending (its images are
        // only moved aside here: deleting them takes a while)
        pauseRestored = RestoreLauncher.pausedByController(pending.get());
        spentImages = RestoreLauncher.retire(pending.get());
      }
      handshake.continueToLibvirtd();
    } catch (HandshakeException e) {
      throw new StartupException(e.getMessage(), e);
    } catch (LaunchException | NetworkConfigException e) {
      throw new StartupException(e.getMessage(), e);
    }
    synchronized (this) {
      handshake.close();
    }
    monitor.initStarted(started.pid());
    InitRecordWatch.start(StatusFile.of(stateDir, args.name()), started.pid(), monitor::resendInit,
        INIT_RECORD_CHECK, INIT_RECORD_GIVE_UP);
    LOG.info("domain {} started, init pid {}", args.name(), started.pid());
    if (pauseRestored) {
      PausedStart.begin(args.name(), started.pid(), layout);
    }
    spentImages.ifPresent(RestoreLauncher::deleteSpent);
  }

  private ContainerProcess boot(Domain domain, ConsoleRelays consoles) throws StartupException {
    LaunchPlan plan;
    try {
      plan = PlanFromDomain.builder(domain, sharedNamespaceFds()).consoles(consoles.slavePaths()).build();
      consoles.giveTo(plan);
    } catch (LaunchPlanException | IllegalArgumentException e) {
      throw new StartupException(e.getMessage(), e);
    }
    try {
      return Launcher.fromSystemProperty().launch(plan);
    } catch (LaunchException | IllegalStateException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  private ContainerProcess adoptInit(ContainerProcess started) throws StartupException {
    synchronized (this) {
      init = started;
      if (closed) {
        started.close();
        throw new StartupException("terminated during start-up");
      }
    }
    LOG.info("init of {} is pid {}", args.name(), started.pid());
    return started;
  }

  private Map<Namespace, Integer> sharedNamespaceFds() {
    Map<Namespace, Integer> m = new EnumMap<>(Namespace.class);
    for (Map.Entry<SharedNamespace, Integer> e : args.sharedNamespaces().entrySet()) {
      m.put(Namespace.valueOf(e.getKey().name()), e.getValue());
    }
    return m;
  }

  private synchronized void register(MonitorServer server) {
    monitor = server;
  }

  /**
   * Waits (on a waiter thread) for init to end, tells libvirtd why (EXIT: REBOOT if killed by SIGHUP, otherwise
   * SHUTDOWN) and returns true; returns false if the controller is being terminated instead (the shutdown hook then
   * does the cleanup).
   */
  public boolean awaitInitExit() throws InterruptedException {
    ContainerProcess p = init;
    boolean[] reported = new boolean[1];
    Thread t = new Thread(() -> {
      org.virtlxc.nssetup.ExitStatus status = p.waitFor();
      initReaped = true;
      if (terminating) {
        return;
      }
      ExitStatus exit = ExitStatus.ofInitEnd(status.signal());
      LOG.info("init {} ended ({}): {}", p.pid(), status, exit);
      monitor.initExited(exit);
      reported[0] = true;
    }, "init-waiter");
    waiter = t;
    t.start();
    t.join();
    return reported[0];
  }

  /**
   * SIGTERM (libvirtd's destroy): kills init by its pid, lets it be reaped, then removes everything. Runs in the JVM
   * shutdown hook, so it must not call System.exit and must finish within about a second.
   */
  public void terminate() {
    terminating = true;
    ContainerProcess p = init;
    if (p != null && !initReaped) { // libvirtd's SIGTERM usually follows init's own end (EXIT, then EOF)
      try {
        libc.kill(p.pid(), Libc.SIGKILL); // not yet reaped (only we reap it), so the pid is still init's
      } catch (LastErrorException e) {
        // ESRCH cannot happen before the reap; anything else: close() below retries through ContainerProcess
      }
      Thread t = waiter;
      if (t != null) {
        try {
          t.join(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    close();
  }

  /** Releases everything this controller created. Idempotent, thread-safe. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // The handshake fds are deliberately left open: on a start-up failure libvirtd reads the log once it sees EOF
    // and waits at most ~1 s for this process to be gone, so EOF must come from the process's exit itself.
    if (init != null) {
      Thread t = waiter;
      if (t != null && t.isAlive()) {
        init.kill(Libc.SIGKILL); // unreaped until the waiter's waitpid returns: the pid is still init's
        try {
          t.join(2000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else {
        init.close();
      }
    }
    if (cgroup != null) {
      if (cgroupJoined) {
        leaveCgroup();
      }
      try {
        cgroup.destroy();
      } catch (CgroupException e) {
        LOG.warn("unable to remove cgroup {}: {}", cgroup.cgroup().path(), e.getMessage());
      }
    }
    if (relay != null) {
      relay.close();
    }
    if (monitor != null) {
      monitor.close();
    }
    LOG.debug("controller of {} cleaned up", args.name());
  }

  /**
   * Moves this process back to where it was before it joined the machine cgroup, in every hierarchy. Memory cgroups
   * named process_api belong to the machine's supervisor and are never written: the hierarchy root is used instead.
   */
  private void leaveCgroup() {
    for (Map.Entry<String, String> e : layout.placement().entrySet()) {
      String key = e.getKey();
      Path mount = key.isEmpty() ? layout.v2Mount() : layout.v1Mount(key.split(",")[0]);
      if (mount == null) {
        continue;
      }
      String rel = e.getValue();
      if (rel.contains("process_api")) {
        rel = "/";
      }
      Path procs = mount.resolve(rel.replaceFirst("^/+", "")).resolve("cgroup.procs");
      try {
        Files.writeString(procs, Long.toString(ownPid));
      } catch (IOException ex) {
        LOG.warn("unable to move controller back to {}: {}", procs, ex.getMessage());
      }
    }
  }
}
