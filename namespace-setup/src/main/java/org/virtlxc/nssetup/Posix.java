package org.virtlxc.nssetup;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

/** The few libc calls the launcher needs (x86_64/aarch64 Linux glibc). Internal. */
interface Posix extends Library {
  Posix C = Native.load("c", Posix.class);

  int O_CLOEXEC = 0x80000;
  int AF_UNIX = 1;
  int SOCK_STREAM = 1;
  int SOCK_CLOEXEC = 0x80000;
  int F_DUPFD_CLOEXEC = 1030;
  int POLLIN = 0x1;
  int EINTR = 4;
  int ECHILD = 10;
  int ESRCH = 3;
  int WNOHANG = 1;
  int SIGKILL = 9;
  /** Size of posix_spawn_file_actions_t is 80 bytes in glibc; leave room. */
  int FILE_ACTIONS_SIZE = 256;

  int pipe2(int[] fds, int flags) throws LastErrorException;

  int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

  int fcntl(int fd, int cmd, int arg) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  long read(int fd, byte[] buf, long count) throws LastErrorException;

  long write(int fd, byte[] buf, long count) throws LastErrorException;

  int poll(Pointer fds, long nfds, int timeoutMillis) throws LastErrorException;

  int posix_spawn_file_actions_init(Pointer actions);

  int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

  int posix_spawn_file_actions_destroy(Pointer actions);

  /** Returns an errno value; does not set errno. */
  int posix_spawn(IntByReference pid, String path, Pointer actions, Pointer attr, StringArray argv, StringArray envp);

  int waitpid(int pid, int[] status, int options) throws LastErrorException;

  int kill(int pid, int sig) throws LastErrorException;

  String strerror(int errnum);
}
