package org.virtlxc.checkpoint.criu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The console pty slave a container's init has on fd 0, as CRIU names an external tty: {@code tty[RDEV:DEV]} with
 * the slave's {@code st_rdev} and {@code st_dev} in hex (what LXC writes to {@code tty.info}).
 */
public record ConsoleTty(long rdev, long dev) {
  /** Major number of Unix98 pty slaves (all of them: the kernel registers 2^20 minors under it). */
  private static final long PTY_SLAVE_MAJOR = 136;

  /** The pty slave on {@code /proc/PID/fd/0}; fails if fd 0 is not a pty slave. */
  public static ConsoleTty ofInit(long pid) throws IOException {
    Path fd0 = Path.of("/proc/" + pid + "/fd/0");
    long rdev = ((Number) Files.getAttribute(fd0, "unix:rdev")).longValue();
    long dev = ((Number) Files.getAttribute(fd0, "unix:dev")).longValue();
    ConsoleTty tty = new ConsoleTty(rdev, dev);
    if (tty.major() != PTY_SLAVE_MAJOR) {
      throw new IOException("fd 0 of init " + pid + " (" + Files.readSymbolicLink(fd0) + ") is not a pty slave (device "
          + tty.major() + ":" + tty.minor() + ")");
    }
    return tty;
  }

  /** Parses the key as written by {@link #key()}. */
  public static ConsoleTty parse(String key) {
    String[] p = key.split(":");
    if (p.length != 2) {
      throw new IllegalArgumentException("console tty key must be RDEV:DEV in hex, not '" + key + "'");
    }
    return new ConsoleTty(Long.parseLong(p[0], 16), Long.parseLong(p[1], 16));
  }

  /** {@code RDEV:DEV} in hex, e.g. {@code 8804:1a}. */
  public String key() {
    return Long.toHexString(rdev) + ":" + Long.toHexString(dev);
  }

  /** {@code tty[RDEV:DEV]}, the CRIU external / inherit-fd object name. */
  public String external() {
    return "tty[" + key() + "]";
  }

  long major() {
    return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
  }

  long minor() {
    return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
  }

  /** The pty number, i.e. the slave's name under its devpts ({@code /dev/pts/N}). */
  public long ptyNumber() {
    return minor();
  }

  /** Pty slave number {@code pty} of the same devpts (same {@code st_dev}, major {@value #PTY_SLAVE_MAJOR}). */
  public ConsoleTty sibling(long pty) {
    long rdev = ((PTY_SLAVE_MAJOR & 0xfff) << 8) | ((PTY_SLAVE_MAJOR & ~0xfffL) << 32) | (pty & 0xff)
        | ((pty & ~0xffL) << 12);
    return new ConsoleTty(rdev, dev);
  }

  /** The devpts the slave lives on, as {@code MAJOR:MINOR} like mountinfo's third field. */
  public String devptsDevice() {
    long maj = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    long min = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    return maj + ":" + min;
  }
}
