package org.virtlxc.driver.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls the controller makes on raw inherited fds, which the JDK cannot wrap. Calls that fail throw
 * {@link LastErrorException} carrying errno. {@code size_t}/{@code ssize_t} are {@link NativeLong} (LP64 Linux).
 */
public interface Libc extends Library {
  /** The process's libc. */
  Libc INSTANCE = Native.load("c", Libc.class);

  int EINTR = 4;
  int EBADF = 9;
  int EAGAIN = 11;
  int EPIPE = 32;

  short POLLIN = 0x001;
  short POLLOUT = 0x004;
  short POLLERR = 0x008;
  short POLLHUP = 0x010;
  short POLLNVAL = 0x020;

  /** {@code struct pollfd} is {int fd; short events; short revents;}: 8 bytes. */
  int POLLFD_SIZE = 8;

  int O_CLOEXEC = 0x80000;

  NativeLong read(int fd, byte[] buf, NativeLong count) throws LastErrorException;

  NativeLong write(int fd, byte[] buf, NativeLong count) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  int poll(Pointer fds, NativeLong nfds, int timeoutMillis) throws LastErrorException;

  int pipe2(int[] fds, int flags) throws LastErrorException;

  int ESRCH = 3;
  int EIO = 5;
  int SIGKILL = 9;
  int O_RDWR = 2;
  int O_NOCTTY = 0x100;
  int O_NONBLOCK = 0x800;
  int F_GETFL = 3;
  int F_SETFL = 4;

  int kill(int pid, int sig) throws LastErrorException;

  int fcntl(int fd, int cmd, int arg) throws LastErrorException;

  int posix_openpt(int flags) throws LastErrorException;

  int grantpt(int fd) throws LastErrorException;

  int unlockpt(int fd) throws LastErrorException;

  /** Not thread-safe (static buffer); the controller calls it once, from main. */
  String ptsname(int fd) throws LastErrorException;
}
