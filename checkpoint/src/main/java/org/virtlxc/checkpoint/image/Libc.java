package org.virtlxc.checkpoint.image;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;

/**
 * The few Linux calls the JDK does not offer that {@link PageFifoReader} and {@link CriuImageServer} need: FIFOs
 * ({@code mkfifo}, non-blocking opens, {@code poll}), {@code splice} between pipes and files at an offset, and a unix
 * socket that receives file descriptors ({@code recvmsg} with {@code SCM_RIGHTS}). Errors become IOExceptions naming
 * the call and the path, with the system's message.
 */
final class Libc {
  static final int O_RDONLY = 0;
  static final int O_WRONLY = 1;
  static final int O_NONBLOCK = 04000;
  static final int O_CLOEXEC = 02000000;
  static final int F_SETFL = 4;
  static final int F_SETPIPE_SZ = 1031;
  static final int SPLICE_F_MOVE = 1;
  static final short POLLIN = 1;
  static final int SYNC_FILE_RANGE_WRITE = 2;
  static final int SPLICE_F_MORE = 4;
  static final int AF_UNIX = 1;
  static final int SOCK_STREAM = 1;
  static final int SOCK_CLOEXEC = O_CLOEXEC;
  static final int SOL_SOCKET = 1;
  static final int SCM_RIGHTS = 1;
  static final int MSG_CMSG_CLOEXEC = 0x40000000;
  static final int EPIPE = 32;
  static final int EINTR = 4;

  static {
    Native.register(Libc.class, "c");
  }

  private Libc() {}

  static native int mkfifo(String path, int mode) throws LastErrorException;

  static native int open(String path, int flags, int mode) throws LastErrorException;

  static native int close(int fd) throws LastErrorException;

  static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

  static native int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

  static native long splice(int in, Pointer inOffset, int out, Pointer outOffset, long length, int flags)
      throws LastErrorException;

  static native int sync_file_range(int fd, long offset, long length, int flags) throws LastErrorException;

  static native String strerror(int errno);

  static native int socket(int domain, int type, int protocol) throws LastErrorException;

  static native int bind(int fd, Pointer address, int length) throws LastErrorException;

  static native int listen(int fd, int backlog) throws LastErrorException;

  static native int accept4(int fd, Pointer address, Pointer length, int flags) throws LastErrorException;

  static native long read(int fd, Pointer buffer, long count) throws LastErrorException;

  static native long write(int fd, Pointer buffer, long count) throws LastErrorException;

  static native long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

  /** Starts writing back a range of {@code fd} without waiting for it: a hint, errors are ignored. */
  static void startWriteback(int fd, long offset, long length) {
    try {
      sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
    } catch (LastErrorException e) {
      // the final fsync writes it then
    }
  }

  static void makeFifo(String path) throws IOException {
    try {
      mkfifo(path, 0600);
    } catch (LastErrorException e) {
      throw failure("mkfifo", path, e);
    }
  }

  static int openFile(String path, int flags) throws IOException {
    try {
      return open(path, flags | O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw failure("open", path, e);
    }
  }

  static void closeQuietly(int fd) {
    if (fd >= 0) {
      try {
        close(fd);
      } catch (LastErrorException e) {
        // nothing to do about it
      }
    }
  }

  /** Whether {@code fd} is readable or its writer hung up, waiting at most {@code timeoutMillis}. */
  static boolean readable(int fd, int timeoutMillis, String path) throws IOException {
    Memory pollfd = new Memory(8);
    pollfd.setInt(0, fd);
    pollfd.setShort(4, POLLIN);
    pollfd.setShort(6, (short) 0);
    try {
      return poll(pollfd, 1, timeoutMillis) > 0;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == EINTR) {
        return false;
      }
      throw failure("poll", path, e);
    }
  }

  static IOException failure(String call, String path, LastErrorException e) {
    return new IOException(call + " " + path + ": " + message(e.getErrorCode()));
  }

  static String message(int errno) {
    try {
      return strerror(errno);
    } catch (RuntimeException | LinkageError e) {
      return "errno " + errno;
    }
  }
}
