package org.virtlxc.nssetup;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

/**
 * The project's one binding of the few libc calls the JDK cannot make: on raw inherited fds, ptys,
 * posix_spawn with fd actions, waitpid on one pid. Calls that fail throw {@link LastErrorException}
 * carrying errno. {@code size_t}/{@code ssize_t} are Java {@code long} (LP64 Linux, x86_64/aarch64 glibc).
 */
public interface Libc extends Library {
  /**
   * The process's libc, by its glibc soname: dlopen finds it without JNA's search of the library directories (which
   * a launcher may skip with {@code -Djna.platform.library.path=}, sparing the controller an {@code ldconfig -p} run).
   */
  Libc INSTANCE = Native.load("libc.so.6", Libc.class);

  int ESRCH = 3;
  int EINTR = 4;
  int EIO = 5;
  int EBADF = 9;
  int ECHILD = 10;
  int EAGAIN = 11;
  int EPIPE = 32;

  short POLLIN = 0x001;
  short POLLOUT = 0x004;
  short POLLERR = 0x008;
  short POLLHUP = 0x010;
  short POLLNVAL = 0x020;
  /** {@code struct pollfd} is {int fd; short events; short revents;}: 8 bytes. */
  int POLLFD_SIZE = 8;

  int O_RDWR = 2;
  int O_NOCTTY = 0x100;
  int O_NONBLOCK = 0x800;
  int O_CLOEXEC = 0x80000;
  int F_GETFL = 3;
  int F_SETFL = 4;
  int F_DUPFD_CLOEXEC = 1030;

  int AF_UNIX = 1;
  int SOCK_STREAM = 1;
  int SOCK_CLOEXEC = 0x80000;

  int WNOHANG = 1;
  int SIGKILL = 9;
  /** Size of posix_spawn_file_actions_t is 80 bytes in glibc; leave room. */
  int FILE_ACTIONS_SIZE = 256;

  long read(int fd, byte[] buf, long count) throws LastErrorException;

  long write(int fd, byte[] buf, long count) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  int poll(Pointer fds, long nfds, int timeoutMillis) throws LastErrorException;

  int pipe2(int[] fds, int flags) throws LastErrorException;

  int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

  int fcntl(int fd, int cmd, int arg) throws LastErrorException;

  int kill(int pid, int sig) throws LastErrorException;

  int waitpid(int pid, int[] status, int options) throws LastErrorException;

  int posix_openpt(int flags) throws LastErrorException;

  int grantpt(int fd) throws LastErrorException;

  int unlockpt(int fd) throws LastErrorException;

  /** Not thread-safe (static buffer); the controller calls it once, from main. */
  String ptsname(int fd) throws LastErrorException;

  int posix_spawn_file_actions_init(Pointer actions);

  int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

  int posix_spawn_file_actions_destroy(Pointer actions);

  /** Returns an errno value; does not set errno. */
  int posix_spawn(IntByReference pid, String path, Pointer actions, Pointer attr, StringArray argv, StringArray envp);

  String strerror(int errnum);
}
