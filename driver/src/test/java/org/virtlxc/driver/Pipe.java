package org.virtlxc.driver;

import com.sun.jna.LastErrorException;
import org.virtlxc.nssetup.Libc;

/** A real kernel pipe (O_CLOEXEC) for tests; each end is closed at most once. */
public final class Pipe implements AutoCloseable {
  private int readFd;
  private int writeFd;

  private Pipe(int readFd, int writeFd) {
    this.readFd = readFd;
    this.writeFd = writeFd;
  }

  public static Pipe open() {
    int[] fds = new int[2];
    Libc.INSTANCE.pipe2(fds, Libc.O_CLOEXEC);
    return new Pipe(fds[0], fds[1]);
  }

  public int readFd() {
    return readFd;
  }

  public int writeFd() {
    return writeFd;
  }

  /** Forget the read end: someone else (e.g. a Handshake) now owns and closes it. */
  public int handOverReadEnd() {
    int fd = readFd;
    readFd = -1;
    return fd;
  }

  /** Forget the write end: someone else now owns and closes it. */
  public int handOverWriteEnd() {
    int fd = writeFd;
    writeFd = -1;
    return fd;
  }

  public void write(byte b) {
    Libc.INSTANCE.write(writeFd, new byte[] {b}, 1);
  }

  /** One byte, or -1 at EOF. Blocks. */
  public int read() {
    byte[] buf = new byte[1];
    long n = Libc.INSTANCE.read(readFd, buf, 1);
    return n == 0 ? -1 : buf[0] & 0xff;
  }

  public void closeReadEnd() {
    readFd = closeFd(readFd);
  }

  public void closeWriteEnd() {
    writeFd = closeFd(writeFd);
  }

  private static int closeFd(int fd) {
    if (fd >= 0) {
      try {
        Libc.INSTANCE.close(fd);
      } catch (LastErrorException e) {
        // already gone
      }
    }
    return -1;
  }

  @Override
  public void close() {
    closeReadEnd();
    closeWriteEnd();
  }
}
