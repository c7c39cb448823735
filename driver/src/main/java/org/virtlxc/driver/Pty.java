package org.virtlxc.driver;

import com.sun.jna.LastErrorException;
import org.virtlxc.nssetup.Libc;

/**
 * A new pseudo-terminal pair from the host's /dev/ptmx: the controller keeps the master, the container gets the slave
 * (by path) as /dev/console and init's stdio.
 *
 * @param masterFd the master, owned by the caller
 * @param slavePath the slave's path, e.g. /dev/pts/7
 */
public record Pty(int masterFd, String slavePath) {

  /** posix_openpt + grantpt + unlockpt + ptsname. */
  public static Pty open(Libc libc) throws Controller.StartupException {
    int fd;
    try {
      fd = libc.posix_openpt(Libc.O_RDWR | Libc.O_NOCTTY);
    } catch (LastErrorException e) {
      throw new Controller.StartupException("unable to allocate a console pty: errno " + e.getErrorCode(), e);
    }
    try {
      libc.fcntl(fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
      libc.grantpt(fd);
      libc.unlockpt(fd);
      String path = libc.ptsname(fd);
      if (path == null) {
        throw new Controller.StartupException("unable to allocate a console pty: no slave name");
      }
      return new Pty(fd, path);
    } catch (LastErrorException e) {
      libc.close(fd);
      throw new Controller.StartupException("unable to allocate a console pty: errno " + e.getErrorCode(), e);
    } catch (Controller.StartupException e) {
      libc.close(fd);
      throw e;
    }
  }
}
