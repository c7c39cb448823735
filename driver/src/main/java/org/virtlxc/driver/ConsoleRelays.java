package org.virtlxc.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.virtlxc.nssetup.LaunchPlan;
import org.virtlxc.nssetup.Libc;

/**
 * The consoles of one domain: for each {@code --console FD} libvirtd passed (one per {@code <console>}, in order), a
 * new pty whose slave the container gets, and a {@link ConsoleRelay} between that pty's master and libvirtd's fd.
 * The first slave becomes /dev/console, /dev/tty1 and init's stdio, the Nth /dev/ttyN, as with libvirt_lxc; libvirt
 * names them console0, console1, … for {@code virsh console --devname}.
 */
public final class ConsoleRelays implements AutoCloseable {
  private final List<ConsoleRelay> relays;
  private final List<String> slavePaths;

  private ConsoleRelays(List<ConsoleRelay> relays, List<String> slavePaths) {
    this.relays = relays;
    this.slavePaths = List.copyOf(slavePaths);
  }

  /**
   * Opens one pty per host fd and starts relaying. libvirt_lxc needs at least one console ("At least one tty is
   * required"), and so do we. On failure, whatever was started is closed again.
   */
  public static ConsoleRelays start(Libc libc, List<Integer> hostFds) throws Controller.StartupException {
    if (hostFds.isEmpty()) {
      throw new Controller.StartupException("unable to set up the consoles: at least one <console> is required");
    }
    List<ConsoleRelay> relays = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    try {
      for (int hostFd : hostFds) {
        Pty pty = Pty.open(libc);
        relays.add(ConsoleRelay.start(hostFd, pty.masterFd()));
        paths.add(pty.slavePath());
      }
    } catch (Controller.StartupException | RuntimeException e) {
      relays.forEach(ConsoleRelay::close);
      throw e;
    }
    return new ConsoleRelays(relays, paths);
  }

  /** Host paths of the container-side pty slaves, in {@code <console>} order. */
  public List<String> slavePaths() {
    return slavePaths;
  }

  /**
   * Gives the slaves to the container's root when it lives in a user namespace (libvirt_lxc chowns its ttys to the
   * mapped root the same way), so that init, no longer the host's root, can open them.
   */
  public void giveTo(LaunchPlan plan) throws Controller.StartupException {
    if (plan.hostUidOfRoot().isEmpty() && plan.hostGidOfRoot().isEmpty()) {
      return;
    }
    for (String path : slavePaths) {
      Path tty = Path.of(path);
      try {
        if (plan.hostUidOfRoot().isPresent()) {
          Files.setAttribute(tty, "unix:uid", (int) plan.hostUidOfRoot().getAsLong());
        }
        if (plan.hostGidOfRoot().isPresent()) {
          Files.setAttribute(tty, "unix:gid", (int) plan.hostGidOfRoot().getAsLong());
        }
      } catch (IOException e) {
        throw new Controller.StartupException("unable to give console " + path + " to the container's root: "
            + e.getMessage(), e);
      }
    }
  }

  /** Stops every relay and closes the container-side masters. Idempotent. */
  @Override
  public void close() {
    for (ConsoleRelay r : relays) {
      r.close();
    }
  }
}
