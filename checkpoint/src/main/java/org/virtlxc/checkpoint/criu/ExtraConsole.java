package org.virtlxc.checkpoint.criu;

import java.util.List;

/**
 * A console after the first ({@code <console>} number {@code index}, {@code /dev/tty(index+1)} in the container): its
 * pty slave, an external tty for CRIU, and where it is mounted in the container.
 *
 * @param index  the console's number (1 for the second {@code <console>}, libvirt's {@code console1})
 * @param tty    its pty slave at dump time
 * @param mounts its mount points in the container
 */
public record ExtraConsole(int index, ConsoleTty tty, List<String> mounts) {
  public ExtraConsole {
    if (index < 1) {
      throw new IllegalArgumentException("an extra console's index starts at 1, not " + index);
    }
    mounts = List.copyOf(mounts);
  }

  /** The external key of mount {@code i} of this console. */
  String mountKey(int i) {
    return "console" + index + "-" + i;
  }
}
