package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.DomainXmlException;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.DomainStatus;

/**
 * A running LXC domain as libvirtd's state directory describes it: {@code NAME.pid} holds the controller's pid (the
 * libvirt domain id), {@code NAME.xml} the live definition and the init pid the controller reported (INIT event).
 *
 * @param name the domain name
 * @param domain the live definition
 * @param controllerPid the controller's pid
 * @param initPid the container init's host pid, a direct child of the controller
 */
public record RunningDomain(String name, Domain domain, long controllerPid, long initPid) {
  public static final Path LIBVIRT_LXC_STATE_DIR = Path.of("/run/libvirt/lxc");
  /** The main class of virt-lxc's controller, as it appears on the controller JVM's command line. */
  static final String CONTROLLER_MAIN = "org.virtlxc.driver.ControllerMain";

  /**
   * How long to wait for libvirtd to record the init pid: {@code virsh start} returns before libvirtd has handled the
   * controller's INIT event and written {@code <init pid>} into the status file. Until then the file has no pid, or
   * still the one of the domain's previous run (libvirtd keeps it across a stop), which is no child of the controller.
   * On these machines libvirtd was seen to take more than 10 s for that once (cause not yet understood).
   */
  static final Duration INIT_PID_WAIT = Duration.ofSeconds(30);

  /** Finds the running domain {@code name}; the message says why it is not usable for a dump. */
  public static RunningDomain find(String name, Path stateDir) throws CheckpointException {
    return find(name, stateDir, INIT_PID_WAIT);
  }

  static RunningDomain find(String name, Path stateDir, Duration initPidWait) throws CheckpointException {
    Path pidFile = stateDir.resolve(name + ".pid");
    Path statusFile = stateDir.resolve(name + ".xml");
    long controller;
    try {
      controller = Long.parseLong(Files.readString(pidFile).strip());
    } catch (NoSuchFileException e) {
      throw new CheckpointException("unable to dump domain " + name + ": it is not running (no " + pidFile + ")", e);
    } catch (IOException | NumberFormatException e) {
      throw new CheckpointException("unable to read " + pidFile + ": " + e.getMessage(), e);
    }
    requireOurController(name, controller);
    long deadline = System.nanoTime() + initPidWait.toNanos();
    while (true) {
      DomainStatus status = readStatus(statusFile);
      String recorded = status.init() == null ? null : status.init().pid();
      boolean known = recorded != null && !recorded.isBlank() && !recorded.strip().equals("0");
      if (known && isChild(controller, recorded) || System.nanoTime() > deadline) {
        return new RunningDomain(name, status.domain(), controller, initPid(name, known ? recorded : null,
            controller));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CheckpointException("interrupted while waiting for libvirtd to record the init pid of " + name, e);
      }
    }
  }

  private static boolean isChild(long controller, String pid) {
    try {
      long p = Long.parseLong(pid.strip());
      return ProcessHandle.of(controller).map(c -> c.children().anyMatch(ch -> ch.pid() == p)).orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static DomainStatus readStatus(Path statusFile) throws CheckpointException {
    DomainStatus status;
    try {
      status = DomainXml.parseStatus(statusFile);
    } catch (DomainXmlException e) {
      throw new CheckpointException("unable to read domain status " + statusFile + ": " + e.getMessage(), e);
    }
    if (status.domain() == null) {
      throw new CheckpointException("unable to read domain status " + statusFile + ": no <domain> in it");
    }
    return status;
  }

  /**
   * The controller of domain {@code name} if libvirtd runs it: its pid file (removed by libvirtd when the domain stops)
   * names a process that has not ended. Whichever controller it is: a running domain is running. A controller that
   * exited but is not reaped yet (a zombie: after libvirtd's double fork, the host's init reaps late) has ended, as for
   * {@link Checkpointer#dump}, which returns once the controller has.
   */
  public static Optional<Long> controllerOf(String name, Path stateDir) throws CheckpointException {
    Path pidFile = stateDir.resolve(name + ".pid");
    try {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      return ProcessExit.isRunning(pid) ? Optional.of(pid) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      throw new CheckpointException("unable to read " + pidFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Only virt-lxc's controller restores a pending checkpoint at start: dumping (and so stopping) a domain under another
   * controller, such as libvirt_lxc, would lose it.
   */
  private static void requireOurController(String name, long controller) throws CheckpointException {
    String cmdline;
    try {
      cmdline = new String(Files.readAllBytes(Path.of("/proc/" + controller + "/cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
    } catch (IOException e) {
      throw new CheckpointException("unable to dump domain " + name + ": its controller " + controller
          + " is not running", e);
    }
    if (!cmdline.contains(CONTROLLER_MAIN)) {
      throw new CheckpointException("unable to dump domain " + name + ": its controller (" + cmdline
          + ") is not virt-lxc's, which alone can restore it; name virt-lxc-controller in its <emulator>");
    }
  }

  /** The controller's INIT pid from the status file ({@code null}: none recorded), checked against the process tree. */
  private static long initPid(String name, String recorded, long controller) throws CheckpointException {
    List<Long> children = ProcessHandle.of(controller).map(p -> p.children().map(ProcessHandle::pid).toList())
        .orElseThrow(() -> new CheckpointException("unable to dump domain " + name + ": its controller " + controller
            + " is not running"));
    if (recorded != null) {
      long pid = Long.parseLong(recorded.strip());
      if (!children.contains(pid)) {
        throw new CheckpointException("unable to dump domain " + name + ": its init " + pid + " is not a child of its"
            + " controller " + controller + " (is the <emulator> virt-lxc's controller?)");
      }
      return pid;
    }
    throw new CheckpointException("unable to dump domain " + name + ": libvirtd does not know its init pid yet");
  }

  /** {@code FROZEN}, {@code FREEZING} or {@code THAWED} from the freezer cgroup of the init, if it has one. */
  public Optional<String> freezerState() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + initPid + "/cgroup"))) {
        String[] f = line.split(":", 3);
        if (f.length == 3 && List.of(f[1].split(",")).contains("freezer")) {
          Path state = Path.of("/sys/fs/cgroup/freezer", f[2], "freezer.state");
          return Optional.of(Files.readString(state).strip());
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
