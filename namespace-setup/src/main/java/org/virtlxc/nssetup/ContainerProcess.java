package org.virtlxc.nssetup;

import com.sun.jna.LastErrorException;
import java.time.Duration;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A container init started by {@link Launcher}: a direct child of this JVM, set up and waiting
 * for {@link #release}. Waits only on its own pid ({@code waitpid(pid)}, never -1: the JDK
 * reaps its own children). {@link #close()} kills and reaps it if it is still there.
 */
public final class ContainerProcess implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ContainerProcess.class);

  private final int pid;
  private final SyncChannel sync;
  private ExitStatus exit;
  private boolean released;

  ContainerProcess(int pid, SyncChannel sync) {
    this.pid = pid;
    this.sync = sync;
  }

  /**
   * An init that is already running as a direct child of this process without {@link Launcher} (e.g. a tree CRIU
   * restored with {@code --restore-sibling}): nothing to release; waited for, signalled and closed like a launched one.
   */
  public static ContainerProcess adopt(int pid) {
    ContainerProcess p = new ContainerProcess(pid, null);
    p.released = true;
    return p;
  }

  /** The init's pid in the launching process's pid namespace (what libvirtd's INIT event carries). */
  public int pid() {
    return pid;
  }

  /**
   * Lets the init exec: sends the go byte, then waits until the exec happened (EOF) or failed
   * (the helper's error line, thrown as the exception's message; the init is then reaped).
   */
  public void release(Duration timeout) throws LaunchException {
    if (released) {
      throw new IllegalStateException("init " + pid + " was already released");
    }
    released = true;
    sync.writeByte((byte) 'g');
    String line = sync.readLine(timeout);
    sync.close();
    if (line != null) {
      waitFor();
      throw new LaunchException(line);
    }
    LOG.debug("init {} released", pid);
  }

  /** Blocks until the init exits and returns how; later calls return the same status. */
  public synchronized ExitStatus waitFor() {
    while (exit == null) {
      int[] status = new int[1];
      try {
        if (Libc.INSTANCE.waitpid(pid, status, 0) == pid) {
          exit = ExitStatus.fromWaitStatus(status[0]);
          LOG.debug("init {} ended: {}", pid, exit);
        }
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Libc.EINTR) {
          throw new IllegalStateException("unable to wait for init " + pid + ": " + Libc.INSTANCE.strerror(e.getErrorCode()), e);
        }
      }
    }
    return exit;
  }

  /** The exit status if the init has ended, without blocking. */
  public synchronized Optional<ExitStatus> exitStatus() {
    if (exit == null) {
      int[] status = new int[1];
      try {
        if (Libc.INSTANCE.waitpid(pid, status, Libc.WNOHANG) == pid) {
          exit = ExitStatus.fromWaitStatus(status[0]);
        }
      } catch (LastErrorException e) {
        throw new IllegalStateException("unable to wait for init " + pid + ": " + Libc.INSTANCE.strerror(e.getErrorCode()), e);
      }
    }
    return Optional.ofNullable(exit);
  }

  /** Sends {@code signal} to the init, unless it has already been reaped (its pid may be reused). */
  public synchronized void kill(int signal) {
    if (exit != null) {
      return;
    }
    try {
      Libc.INSTANCE.kill(pid, signal);
    } catch (LastErrorException e) {
      if (e.getErrorCode() != Libc.ESRCH) {
        throw new IllegalStateException("unable to signal init " + pid + ": " + Libc.INSTANCE.strerror(e.getErrorCode()), e);
      }
    }
  }

  /** Kills the init (SIGKILL, which ends its whole pid namespace) if it still runs, and reaps it. */
  @Override
  public void close() {
    if (sync != null) {
      sync.close();
    }
    if (exitStatus().isEmpty()) {
      kill(Libc.SIGKILL);
      waitFor();
    }
  }
}
