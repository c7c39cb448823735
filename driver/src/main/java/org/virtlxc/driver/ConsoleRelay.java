package org.virtlxc.driver;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.util.Arrays;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.nssetup.Libc;

/**
 * Relays one console: bytes between libvirtd's host pty master ({@code --console FD}) and the master of the pty whose
 * slave is the container's /dev/console. Two daemon threads, one per direction, on raw fds with poll/read/write.
 *
 * <p>The host side is hung up whenever no {@code virsh console} has the host slave open. Unlike libvirt_lxc (which
 * stops reading the container side then, so the container blocks once the pty buffer is full), the container side is
 * always drained: output the host side cannot take at the moment is dropped.
 *
 * <p>Owns the container-side master fd (closed by {@link #close()}); the host fd belongs to libvirtd's process image
 * and is only set non-blocking.
 */
public final class ConsoleRelay implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ConsoleRelay.class);
  private static final int BUF = 4096;
  private static final int POLL_MS = 200;
  /** How long output waits for a slow (but attached) host side before it is dropped. */
  private static final int HOST_WRITE_WAIT_MS = 200;

  private final Libc libc;
  private final int hostFd;
  private final int containerFd;
  private final Thread fromContainer;
  private final Thread toContainer;
  private volatile boolean stopped;
  private volatile long droppedBytes;
  private boolean closed;

  private ConsoleRelay(Libc libc, int hostFd, int containerFd) {
    this.libc = libc;
    this.hostFd = hostFd;
    this.containerFd = containerFd;
    this.fromContainer = new Thread(this::pumpFromContainer, "console-out");
    this.toContainer = new Thread(this::pumpToContainer, "console-in");
    fromContainer.setDaemon(true);
    toContainer.setDaemon(true);
  }

  /** Starts relaying between {@code hostFd} and {@code containerMasterFd} (taking ownership of the latter). */
  public static ConsoleRelay start(int hostFd, int containerMasterFd) {
    Libc libc = Libc.INSTANCE;
    setNonBlocking(libc, hostFd);
    ConsoleRelay r = new ConsoleRelay(libc, hostFd, containerMasterFd);
    r.fromContainer.start();
    r.toContainer.start();
    return r;
  }

  /** Bytes of container output dropped because the host side was hung up or stuck (diagnostics, tests). */
  public long droppedBytes() {
    return droppedBytes;
  }

  private static void setNonBlocking(Libc libc, int fd) {
    int flags = libc.fcntl(fd, Libc.F_GETFL, 0);
    libc.fcntl(fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK);
  }

  /** Container output → host. Never stops reading the container side while running. */
  private void pumpFromContainer() {
    byte[] buf = new byte[BUF];
    try (Memory pfd = new Memory(Libc.POLLFD_SIZE)) {
      while (!stopped) {
        short ev = poll(pfd, containerFd, Libc.POLLIN, POLL_MS);
        if (ev == 0) {
          continue;
        }
        int n = read(containerFd, buf);
        if (n < 0) {
          // EIO: no slave open on the container side (init not yet started or gone): wait a little
          sleep(POLL_MS);
          continue;
        }
        if (n == 0) {
          sleep(POLL_MS);
          continue;
        }
        toHost(pfd, buf, n);
      }
    } catch (RuntimeException e) {
      if (!stopped) {
        LOG.warn("console relay (container to host) stopped: {}", e.toString());
      }
    }
  }

  private void toHost(Memory pfd, byte[] buf, int n) {
    int off = 0;
    boolean waited = false;
    while (off < n && !stopped) {
      short ev = poll(pfd, hostFd, Libc.POLLOUT, waited ? HOST_WRITE_WAIT_MS : 0);
      if ((ev & (Libc.POLLHUP | Libc.POLLERR | Libc.POLLNVAL)) != 0 || (ev & Libc.POLLOUT) == 0 && waited) {
        break; // no viewer attached, or it does not read: drop the rest
      }
      if ((ev & Libc.POLLOUT) == 0) {
        waited = true;
        continue;
      }
      byte[] chunk = off == 0 ? buf : Arrays.copyOfRange(buf, off, n);
      try {
        long w = libc.write(hostFd, chunk, n - off);
        off += (int) w;
        waited = false;
      } catch (LastErrorException e) {
        if (e.getErrorCode() == Libc.EAGAIN && !waited) {
          waited = true;
          continue;
        }
        if (e.getErrorCode() == Libc.EINTR) {
          continue;
        }
        break;
      }
    }
    if (off < n) {
      droppedBytes += n - off;
    }
  }

  /** Host input → container. Idles while the host side is hung up. */
  private void pumpToContainer() {
    byte[] buf = new byte[BUF];
    try (Memory pfd = new Memory(Libc.POLLFD_SIZE)) {
      while (!stopped) {
        short ev = poll(pfd, hostFd, Libc.POLLIN, POLL_MS);
        if (ev == 0) {
          continue;
        }
        if ((ev & Libc.POLLIN) == 0) {
          sleep(POLL_MS); // hung up: nobody is attached; look again later
          continue;
        }
        int n = read(hostFd, buf);
        if (n <= 0) {
          sleep(POLL_MS);
          continue;
        }
        int off = 0;
        while (off < n && !stopped) {
          byte[] chunk = off == 0 ? buf : Arrays.copyOfRange(buf, off, n);
          try {
            off += (int) libc.write(containerFd, chunk, n - off);
          } catch (LastErrorException e) {
            if (e.getErrorCode() != Libc.EINTR && e.getErrorCode() != Libc.EAGAIN) {
              break; // container side gone: drop
            }
            sleep(20);
          }
        }
      }
    } catch (RuntimeException e) {
      if (!stopped) {
        LOG.warn("console relay (host to container) stopped: {}", e.toString());
      }
    }
  }

  private short poll(Memory pfd, int fd, short events, int timeoutMs) {
    pfd.setInt(0, fd);
    pfd.setShort(4, events);
    pfd.setShort(6, (short) 0);
    try {
      int r = libc.poll(pfd, 1, timeoutMs);
      return r > 0 ? pfd.getShort(6) : 0;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Libc.EINTR) {
        return 0;
      }
      throw e;
    }
  }

  /** Bytes read, 0 at EOF, -1 for EIO/EAGAIN (other side not open or nothing there). */
  private int read(int fd, byte[] buf) {
    try {
      return (int) libc.read(fd, buf, buf.length);
    } catch (LastErrorException e) {
      int err = e.getErrorCode();
      if (err == Libc.EIO || err == Libc.EAGAIN || err == Libc.EINTR) {
        return -1;
      }
      throw e;
    }
  }

  private static void sleep(int ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops both threads (within about {@value #POLL_MS} ms) and closes the container-side master. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopped = true;
    for (Thread t : new Thread[] {fromContainer, toContainer}) {
      if (t != Thread.currentThread()) {
        try {
          t.join(POLL_MS + 50L);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    try {
      libc.close(containerFd);
    } catch (LastErrorException e) {
      // released anyway
    }
  }
}
