package org.virtlxc.driver.handshake;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.time.Duration;
import java.util.Objects;
import org.virtlxc.driver.ControllerArgs;
import org.virtlxc.nssetup.Libc;

/**
 * The controller's side of libvirtd's start-up handshake ({@code --handshakefds R:W}): every sync message is the single
 * byte {@code 'c'} (reference §3). The controller writes {@code 'c'} once its cgroup is in place, waits for libvirtd's
 * {@code 'c'}, finishes setting up, writes a second {@code 'c'}, then closes both fds.
 *
 * <p>Owns both fds from construction: {@link #close()} closes them (idempotent). Not thread-safe: one thread drives it.
 */
public final class Handshake implements AutoCloseable {
  /** {@code LXC_CONTINUE_MSG}. */
  public static final byte CONTINUE = 'c';

  private final Libc libc;
  private final int readFd;
  private final int writeFd;
  private boolean closed;

  /** Takes ownership of {@code readFd} (libvirtd writes) and {@code writeFd} (libvirtd reads). */
  public Handshake(int readFd, int writeFd) {
    this(Libc.INSTANCE, readFd, writeFd);
  }

  /** As {@link #Handshake(int, int)}, with the libc to use. */
  public Handshake(Libc libc, int readFd, int writeFd) {
    this.libc = Objects.requireNonNull(libc, "libc");
    if (readFd < 0 || writeFd < 0) {
      throw new IllegalArgumentException("handshake fds must not be negative: " + readFd + ":" + writeFd);
    }
    this.readFd = readFd;
    this.writeFd = writeFd;
  }

  /** The handshake on the fds of {@code --handshakefds}. */
  public static Handshake fromArgs(ControllerArgs args) {
    return new Handshake(args.handshakeReadFd(), args.handshakeWriteFd());
  }

  /** Tells libvirtd to go on: writes {@code 'c'} on W. */
  public void continueToLibvirtd() throws HandshakeException {
    ensureOpen();
    byte[] buf = {CONTINUE};
    while (true) {
      try {
        long n = libc.write(writeFd, buf, 1);
        if (n == 1) {
          return;
        }
        throw new HandshakeException("unable to write the handshake byte to fd " + writeFd + ": short write");
      } catch (LastErrorException e) {
        if (e.getErrorCode() == Libc.EINTR) {
          continue;
        }
        if (e.getErrorCode() == Libc.EPIPE) {
          throw new HandshakeException("libvirtd closed the handshake", e);
        }
        throw new HandshakeException("unable to write the handshake byte to fd " + writeFd + ": errno "
            + e.getErrorCode(), e);
      }
    }
  }

  /**
   * Waits up to {@code timeout} for libvirtd's {@code 'c'} on R.
   *
   * @throws HandshakeException "libvirtd closed the handshake" on EOF, an error naming the byte for anything but
   *     {@code 'c'}, or a timeout error
   */
  public void awaitLibvirtd(Duration timeout) throws HandshakeException {
    ensureOpen();
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("negative timeout: " + timeout);
    }
    awaitReadable(timeout);
    byte[] buf = new byte[1];
    long n;
    while (true) {
      try {
        n = libc.read(readFd, buf, 1);
        break;
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Libc.EINTR) {
          throw new HandshakeException("unable to read the handshake byte from fd " + readFd + ": errno "
              + e.getErrorCode(), e);
        }
      }
    }
    if (n == 0) {
      throw new HandshakeException("libvirtd closed the handshake");
    }
    if (buf[0] != CONTINUE) {
      throw new HandshakeException(String.format(
          "unexpected handshake byte 0x%02x from libvirtd (expected 'c')", buf[0] & 0xff));
    }
  }

  private void awaitReadable(Duration timeout) throws HandshakeException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Memory pollfd = new Memory(Libc.POLLFD_SIZE)) {
      while (true) {
        long remainingNanos = deadline - System.nanoTime();
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (remainingNanos + 999_999) / 1_000_000));
        pollfd.setInt(0, readFd);
        pollfd.setShort(4, Libc.POLLIN);
        pollfd.setShort(6, (short) 0);
        int ready;
        try {
          ready = libc.poll(pollfd, 1, millis);
        } catch (LastErrorException e) {
          if (e.getErrorCode() == Libc.EINTR) {
            continue;
          }
          throw new HandshakeException("unable to poll handshake fd " + readFd + ": errno " + e.getErrorCode(), e);
        }
        if (ready > 0) {
          if ((pollfd.getShort(6) & Libc.POLLNVAL) != 0) {
            throw new HandshakeException("handshake fd " + readFd + " is not open");
          }
          return; // readable, hung up or in error: read() tells which
        }
        if (System.nanoTime() - deadline >= 0) {
          throw new HandshakeException("timed out after " + timeout.toMillis() + " ms waiting for libvirtd's handshake");
        }
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("handshake already closed");
    }
  }

  /** Closes both fds; safe to call more than once. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(readFd);
    closeQuietly(writeFd);
  }

  private void closeQuietly(int fd) {
    try {
      libc.close(fd);
    } catch (LastErrorException e) {
      // EBADF or EINTR: on Linux the fd is released either way; nothing to retry
    }
  }
}
