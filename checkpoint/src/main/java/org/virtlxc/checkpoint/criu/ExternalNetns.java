package org.virtlxc.checkpoint.criu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container's own network namespace, which CRIU is told is external: the dump leaves out its devices, addresses,
 * routes and firewall ({@code --external net[INODE]:KEY}), and the restore gets a fresh namespace that the controller
 * has set up from the domain XML with libvirtd's new veths ({@code --inherit-fd fd[N]:KEY}), as runc does with a
 * netns given by path. Sockets are still dumped and restored, into the fresh namespace.
 *
 * @param inode the namespace's inode at dump time (what {@code /proc/PID/ns/net} links to)
 */
public record ExternalNetns(long inode) {
  /** The key CRIU's images carry for the namespace; {@code --inherit-fd} must name it at restore. */
  public static final String KEY = "virtlxc-netns";
  private static final Pattern LINK = Pattern.compile("net:\\[(\\d+)]");

  /** The network namespace of {@code initPid}, if it is not the one of {@code hostPid} (the controller's). */
  public static Optional<ExternalNetns> of(long initPid, long hostPid) throws IOException {
    long init = inodeOf(initPid);
    return init == inodeOf(hostPid) ? Optional.empty() : Optional.of(new ExternalNetns(init));
  }

  static long inodeOf(long pid) throws IOException {
    Path link = Path.of("/proc/" + pid + "/ns/net");
    String target = Files.readSymbolicLink(link).toString();
    Matcher m = LINK.matcher(target);
    if (!m.matches()) {
      throw new IOException(link + " links to '" + target + "', not net:[INODE]");
    }
    return Long.parseLong(m.group(1));
  }

  /** {@code net[INODE]:KEY}, the dump's {@code --external}. */
  public String dumpExternal() {
    return "net[" + inode + "]:" + KEY;
  }

  /** {@code fd[FD]:KEY}, the restore's {@code --inherit-fd} for the fresh namespace open as CRIU's fd {@code fd}. */
  public static String inheritFd(int fd) {
    return "fd[" + fd + "]:" + KEY;
  }
}
