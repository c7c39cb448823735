package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.virtlxc.checkpoint.image.FileIdentity;

/**
 * Whether a file this process sees is the same file in the mount namespace of the libvirt daemon that runs LXC
 * domains, where the controllers it starts run too. The daemon may have a mount namespace of its own (it has on these
 * machines), which does not see file systems mounted after it started: a controller could not open a save image there.
 */
final class LibvirtdMountView {
  /** The monolithic daemon's pid file, and the modular LXC daemon's. */
  static final List<Path> PID_FILES = List.of(Path.of("/run/virtlxcd.pid"), Path.of("/run/libvirtd.pid"));
  /** System property: other pid files to look for the daemon in, comma-separated (tests). */
  static final String PID_FILES_PROPERTY = "virtlxc.libvirtd.pidfiles";

  private LibvirtdMountView() {}

  /**
   * Whether the daemon sees {@code realFile} (a real path: absolute, no symbolic links) as the same file (device,
   * inode, size, modification time). True when no daemon is found (the start fails anyway then, with its own message).
   */
  static boolean sees(Path realFile) {
    String property = System.getProperty(PID_FILES_PROPERTY);
    return sees(realFile, property == null ? PID_FILES
        : java.util.Arrays.stream(property.split(",")).filter(p -> !p.isBlank()).map(Path::of).toList());
  }

  static boolean sees(Path realFile, List<Path> pidFiles) {
    OptionalLong pid = daemonPid(pidFiles);
    if (pid.isEmpty()) {
      return true;
    }
    Path there = Path.of("/proc/" + pid.getAsLong() + "/root").resolve(realFile.toString().substring(1));
    try {
      return FileIdentity.of(there).equals(FileIdentity.of(realFile));
    } catch (IOException e) {
      return false;
    }
  }

  private static OptionalLong daemonPid(List<Path> pidFiles) {
    for (Path f : pidFiles) {
      try {
        long pid = Long.parseLong(Files.readString(f).strip());
        if (Files.isDirectory(Path.of("/proc/" + pid))) {
          return OptionalLong.of(pid);
        }
      } catch (IOException | NumberFormatException e) {
        // not this daemon
      }
    }
    return OptionalLong.empty();
  }
}
