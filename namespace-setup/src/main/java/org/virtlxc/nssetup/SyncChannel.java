package org.virtlxc.nssetup;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Our end of the helper's fd 4: newline-terminated text lines in, single bytes out. Internal. */
final class SyncChannel implements AutoCloseable {
  private final int fd;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private boolean closed;

  SyncChannel(int fd) {
    this.fd = fd;
  }

  /** The next line without its newline, or null at EOF (the other side closed or exec'd). */
  String readLine(Duration timeout) throws LaunchException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] one = new byte[1];
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new LaunchException("unable to hear from virt-lxc-init: no answer within " + timeout.toMillis() + " ms");
      }
      if (!readable((int) Math.min(left, Integer.MAX_VALUE))) {
        continue;
      }
      long n;
      try {
        n = Libc.INSTANCE.read(fd, one, 1);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == Libc.EINTR) {
          continue;
        }
        throw new LaunchException("unable to read from virt-lxc-init: " + Libc.INSTANCE.strerror(e.getErrorCode()), e);
      }
      if (n == 0) {
        if (pending.size() == 0) {
          return null;
        }
        return take();
      }
      if (one[0] == '\n') {
        return take();
      }
      pending.write(one[0]);
    }
  }

  private String take() {
    String s = pending.toString(StandardCharsets.UTF_8);
    pending.reset();
    return s;
  }

  private boolean readable(int timeoutMillis) throws LaunchException {
    try (Memory pfd = new Memory(8)) {
      pfd.setInt(0, fd);
      pfd.setShort(4, (short) Libc.POLLIN);
      pfd.setShort(6, (short) 0);
      try {
        return Libc.INSTANCE.poll(pfd, 1, timeoutMillis) > 0;
      } catch (LastErrorException e) {
        if (e.getErrorCode() == Libc.EINTR) {
          return false;
        }
        throw new LaunchException("unable to poll virt-lxc-init: " + Libc.INSTANCE.strerror(e.getErrorCode()), e);
      }
    }
  }

  void writeByte(byte b) throws LaunchException {
    try {
      if (Libc.INSTANCE.write(fd, new byte[] {b}, 1) != 1) {
        throw new LaunchException("unable to release the container init: short write");
      }
    } catch (LastErrorException e) {
      throw new LaunchException("unable to release the container init: " + Libc.INSTANCE.strerror(e.getErrorCode()), e);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Libc.INSTANCE.close(fd);
    }
  }
}
