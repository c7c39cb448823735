package org.virtlxc.nssetup;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Starts a container init through the native helper {@code virt-lxc-init}.
 *
 * <p>The JDK cannot place a file descriptor at a chosen number in a child, so the helper is
 * started with {@code posix_spawn} and {@code posix_spawn_file_actions_adddup2}: the plan pipe
 * becomes fd 3, one end of a socketpair fd 4, namespace fds to join 5, 6, 7, and an optional
 * stdio fd 0, 1 and 2. The helper clones the init with {@code CLONE_PARENT}, so the init is a
 * child of this JVM and {@link ContainerProcess} waits for it by pid; the helper itself is
 * reaped here before {@link #launch} returns.
 */
public final class Launcher {
  private static final Logger LOG = LogManager.getLogger(Launcher.class);
  /** System property naming the helper binary. */
  public static final String HELPER_PROPERTY = "virtlxc.init";
  private static final int FIRST_NS_FD = 5;
  /** Temporary copies of the fds to pass live at or above this number, clear of 0-7. */
  private static final int SCRATCH_FD_BASE = 100;

  private final Path helper;
  private final int stdioFd;
  private final Duration timeout;

  private Launcher(Path helper, int stdioFd, Duration timeout) {
    this.helper = helper;
    this.stdioFd = stdioFd;
    this.timeout = timeout;
  }

  /** A launcher for the helper at {@code helper}; the helper inherits this JVM's stdio; 30 s timeout. */
  public static Launcher of(Path helper) {
    if (!helper.isAbsolute()) {
      throw new IllegalArgumentException("helper path must be absolute: " + helper);
    }
    return new Launcher(helper, -1, Duration.ofSeconds(30));
  }

  /** A launcher for the helper named by the system property {@value #HELPER_PROPERTY}. */
  public static Launcher fromSystemProperty() {
    String p = System.getProperty(HELPER_PROPERTY);
    if (p == null) {
      throw new IllegalStateException("system property " + HELPER_PROPERTY + " does not name the virt-lxc-init binary");
    }
    return of(Path.of(p));
  }

  /** The same launcher, giving the helper (and an init without console) {@code fd} as stdin, stdout and stderr. */
  public Launcher withStdio(int fd) {
    if (fd < 0) {
      throw new IllegalArgumentException("stdio fd must not be negative: " + fd);
    }
    return new Launcher(helper, fd, timeout);
  }

  /** The same launcher with another limit on each wait for the helper. */
  public Launcher withTimeout(Duration t) {
    return new Launcher(helper, stdioFd, t);
  }

  /**
   * Starts the helper with {@code plan} and returns once the init is set up and waits for
   * {@link ContainerProcess#release}. On failure nothing is left running and the exception
   * carries the helper's line ("virt-lxc-init: unable to ...").
   */
  public ContainerProcess launch(LaunchPlan plan) throws LaunchException {
    if (!Files.isExecutable(helper)) {
      throw new LaunchException("unable to run " + helper + ": not an executable file");
    }
    List<Integer> toClose = new ArrayList<>();
    int planWrite = -1;
    int syncFd = -1;
    int helperPid;
    try {
      int[] planPipe = new int[2];
      Libc.INSTANCE.pipe2(planPipe, Libc.O_CLOEXEC);
      toClose.add(planPipe[0]);
      planWrite = planPipe[1];
      int[] sv = new int[2];
      Libc.INSTANCE.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, sv);
      syncFd = sv[0];
      toClose.add(sv[1]);

      // Copies above SCRATCH_FD_BASE first, so no dup2 below can overwrite a source we still need.
      List<int[]> dups = new ArrayList<>(); // {scratch fd, target fd}
      dups.add(new int[] {scratch(planPipe[0], toClose), 3});
      dups.add(new int[] {scratch(sv[1], toClose), 4});
      LaunchPlan.Builder wire = plan.newBuilder().clearJoin();
      int next = FIRST_NS_FD;
      for (Map.Entry<Namespace, Integer> j : plan.join().entrySet()) {
        dups.add(new int[] {scratch(j.getValue(), toClose), next});
        wire.join(j.getKey(), next++);
      }
      if (stdioFd >= 0) {
        int s = scratch(stdioFd, toClose);
        for (int fd = 0; fd < 3; fd++) {
          dups.add(new int[] {s, fd});
        }
      }
      byte[] encoded = LaunchPlanEncoder.encode(wire.build());
      helperPid = spawn(dups);
      closeAll(toClose);
      try {
        writeAll(planWrite, encoded);
      } catch (LaunchException e) {
        closeQuietly(planWrite);
        planWrite = -1;
        waitHelper(helperPid);
        throw e;
      }
    } catch (LastErrorException | LaunchException e) {
      closeAll(toClose);
      closeQuietly(syncFd);
      if (e instanceof LaunchException le) {
        throw le;
      }
      int errno = ((LastErrorException) e).getErrorCode();
      throw new LaunchException("unable to start " + helper + ": " + Libc.INSTANCE.strerror(errno), e);
    } finally {
      // EOF on fd 3 tells the helper the plan is complete (and unblocks it if we failed).
      closeQuietly(planWrite);
    }
    return handshake(helperPid, new SyncChannel(syncFd));
  }

  /** Reads "pid N", reaps the helper, then waits for "ready" from the init. */
  private ContainerProcess handshake(int helperPid, SyncChannel sync) throws LaunchException {
    ContainerProcess init = null;
    try {
      String line = sync.readLine(timeout);
      if (line != null && line.startsWith("pid ")) {
        init = new ContainerProcess(Integer.parseInt(line.substring(4).trim()), sync);
        line = null;
      }
      ExitStatus helperExit = waitHelper(helperPid);
      if (init == null) {
        throw new LaunchException(line != null ? line : "virt-lxc-init ended (" + helperExit + ") without starting init");
      }
      line = sync.readLine(timeout);
      if (!"ready".equals(line)) {
        throw new LaunchException(line != null ? line
            : "virt-lxc-init: container init " + init.pid() + " ended during setup (" + init.waitFor() + ")");
      }
      LOG.debug("init {} is set up and waits for release", init.pid());
      return init;
    } catch (LaunchException | RuntimeException e) {
      if (init != null) {
        init.close();
      } else {
        sync.close();
      }
      throw e;
    }
  }

  private static ExitStatus waitHelper(int pid) {
    int[] status = new int[1];
    while (true) {
      try {
        Libc.INSTANCE.waitpid(pid, status, 0);
        return ExitStatus.fromWaitStatus(status[0]);
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Libc.EINTR) {
          throw new IllegalStateException("unable to wait for virt-lxc-init " + pid + ": " + Libc.INSTANCE.strerror(e.getErrorCode()), e);
        }
      }
    }
  }

  private int spawn(List<int[]> dups) throws LaunchException {
    try (Memory actions = new Memory(Libc.FILE_ACTIONS_SIZE)) {
      actions.clear();
      check(Libc.INSTANCE.posix_spawn_file_actions_init(actions), "initialise spawn file actions");
      try {
        for (int[] d : dups) {
          check(Libc.INSTANCE.posix_spawn_file_actions_adddup2(actions, d[0], d[1]), "add a dup2 spawn action");
        }
        IntByReference pid = new IntByReference();
        String path = helper.toString();
        check(Libc.INSTANCE.posix_spawn(pid, path, actions, null,
            new StringArray(new String[] {path}), new StringArray(new String[0])), "run " + path);
        LOG.debug("spawned {} as pid {}", path, pid.getValue());
        return pid.getValue();
      } finally {
        Libc.INSTANCE.posix_spawn_file_actions_destroy(actions);
      }
    }
  }

  private static void check(int err, String what) throws LaunchException {
    if (err != 0) {
      throw new LaunchException("unable to " + what + ": " + Libc.INSTANCE.strerror(err));
    }
  }

  private static int scratch(int fd, List<Integer> toClose) {
    int copy = Libc.INSTANCE.fcntl(fd, Libc.F_DUPFD_CLOEXEC, SCRATCH_FD_BASE);
    toClose.add(copy);
    return copy;
  }

  private static void writeAll(int fd, byte[] data) throws LaunchException {
    int off = 0;
    while (off < data.length) {
      byte[] rest = off == 0 ? data : java.util.Arrays.copyOfRange(data, off, data.length);
      try {
        off += (int) Libc.INSTANCE.write(fd, rest, rest.length);
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Libc.EINTR) {
          throw new LaunchException("unable to send the launch plan: " + Libc.INSTANCE.strerror(e.getErrorCode()), e);
        }
      }
    }
  }

  private static void closeAll(List<Integer> fds) {
    for (int fd : fds) {
      closeQuietly(fd);
    }
    fds.clear();
  }

  private static void closeQuietly(int fd) {
    if (fd >= 0) {
      try {
        Libc.INSTANCE.close(fd);
      } catch (LastErrorException e) {
        // EBADF after an earlier close is fine: nothing to release
      }
    }
  }
}
