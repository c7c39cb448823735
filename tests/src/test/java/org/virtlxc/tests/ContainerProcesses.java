package org.virtlxc.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A container's processes as the host sees them in {@code /proc}, for comparing the tree before a dump with the tree
 * restored (by {@code virsh start} or on a migration's destination).
 */
final class ContainerProcesses {
  /** One process of the container: in-container pid, command line, cwd and environment. */
  record Proc(int pid, String cmdline, String cwd, String environ) {}

  private ContainerProcesses() {}

  /**
   * The processes of the container whose init has host pid {@code init}, by in-container pid: init and its
   * descendants, without the short-lived children of shell loops ({@code sleep}s, {@code mv}s, and shell forks about
   * to exec one: a copy of a {@code /bin/sh} parent).
   */
  static Map<Integer, Proc> of(long init) {
    Map<Integer, Proc> m = new TreeMap<>();
    List<Long> pids = new ArrayList<>(List.of(init));
    ProcessHandle.of(init).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
    for (long pid : pids) {
      Path proc = Path.of("/proc/" + pid);
      try {
        String cmdline = cmdline(pid);
        boolean shellFork = pid != init && cmdline.startsWith("/bin/sh ")
            && ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(pp -> cmdline(pp.pid())).orElse("")
                .equals(cmdline);
        if (cmdline.isEmpty() || cmdline.startsWith("sleep ") || cmdline.startsWith("mv ") || shellFork) {
          continue;
        }
        String environ = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8)
            .replace('\0', '\n');
        String cwd = Files.readSymbolicLink(proc.resolve("cwd")).toString();
        int nspid = nsPid(pid);
        m.put(nspid, new Proc(nspid, cmdline, cwd, environ));
      } catch (IOException | UncheckedIOException e) {
        // ended meanwhile (a sleep)
      }
    }
    return m;
  }

  /** The pid of host process {@code pid} in its innermost pid namespace. */
  static int nsPid(long pid) throws IOException {
    String line = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(l -> l.startsWith("NSpid:")).findFirst().orElseThrow();
    String[] f = line.split("\\s+");
    return Integer.parseInt(f[f.length - 1]);
  }

  /** The file offset of descriptor {@code fd} of host process {@code pid}. */
  static long fdPosition(long pid, int fd) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd))) {
      if (line.startsWith("pos:")) {
        return Long.parseLong(line.substring(4).strip());
      }
    }
    throw new AssertionError("no pos in /proc/" + pid + "/fdinfo/" + fd);
  }

  private static String cmdline(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ').strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
