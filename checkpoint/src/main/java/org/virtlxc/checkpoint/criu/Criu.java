package org.virtlxc.checkpoint.criu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CRIU binary virt-lxc runs ({@code /usr/local/lib/virt-lxc/bin/criu}, or the system property {@code virtlxc.criu})
 * and how to read its log.
 */
public record Criu(Path binary) {
  public static final Path DEFAULT = Path.of("/usr/local/lib/virt-lxc/bin/criu");

  /**
   * Errors CRIU 4.1 logs on successful runs here: its own RLIMIT_NOFILE raise is refused, and its kernel-feature probe
   * cannot create a tun device in a machine cgroup whose devices list does not allow it.
   */
  private static final List<String> HARMLESS = List.of("Can't setup RLIMIT_NOFILE", "Unable to create tun");

  public static Criu fromSystemProperty() {
    String p = System.getProperty("virtlxc.criu");
    return new Criu(p == null || p.isBlank() ? DEFAULT : Path.of(p));
  }

  /** argv: the binary, then {@code args}. */
  public List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(args);
    return cmd;
  }

  /**
   * CRIU's own first error in {@code log} without its timestamp and source position, e.g.
   * {@code "Can't lookup mount=91 for fd=0 path=/4"}; empty if the log is missing or has no error line.
   */
  public static Optional<String> firstError(Path log) {
    List<String> lines;
    try {
      lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return Optional.empty();
    }
    return firstError(lines);
  }

  static Optional<String> firstError(List<String> lines) {
    for (String line : lines) {
      int at = line.indexOf("Error (");
      if (at < 0 || HARMLESS.stream().anyMatch(line::contains)) {
        continue;
      }
      int end = line.indexOf("): ", at);
      return Optional.of((end < 0 ? line.substring(at) : line.substring(end + 3)).strip());
    }
    return Optional.empty();
  }

  /**
   * What a CRIU error known to come from a CRIU/kernel mismatch means, for the operator; empty for other errors. CRIU
   * before 4.2 reads SO_PASSCRED and SO_PASSSEC (socket options 1:16, 1:34) of every socket, which Linux 6.16 and later
   * refuse on anything but unix, netlink and bluetooth sockets: no TCP or UDP socket can be dumped (criu issue 2705).
   */
  public static Optional<String> explain(String error) {
    if (error.matches("sockets: Can't get 1:(16|34) opt: Operation not supported")) {
      return Optional.of("this CRIU cannot dump a TCP or UDP socket on Linux 6.16 or later, which refuses"
          + " SO_PASSCRED on them; CRIU 4.2 or later can");
    }
    return Optional.empty();
  }

  /** The last non-empty line of {@code log}, for a CRIU that died without logging an error. */
  public static Optional<String> lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return Optional.of(lines.get(i).strip());
        }
      }
    } catch (IOException e) {
      // no log: nothing to add
    }
    return Optional.empty();
  }
}
