package org.virtlxc.checkpoint.criu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One line of {@code /proc/PID/mountinfo}: the fields virt-lxc needs to declare CRIU externals. */
public record MountInfo(String device, String root, String mountPoint, String fsType) {
  /** The mounts {@code pid} sees, in mountinfo order. */
  public static List<MountInfo> of(long pid) throws IOException {
    return parse(Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo")));
  }

  static List<MountInfo> parse(List<String> lines) {
    List<MountInfo> mounts = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (f.length < 5 || dash < 0 || dash + 1 >= f.length) {
        continue;
      }
      mounts.add(new MountInfo(f[2], unescape(f[3]), unescape(f[4]), f[dash + 1]));
    }
    return mounts;
  }

  /** mountinfo escapes space, tab, newline and backslash as {@code \ooo}. */
  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The bind mounts of {@code tty} itself (libvirt's and our {@code /dev/console}, {@code /dev/ttyN}). */
  public static List<String> mountPointsOf(ConsoleTty tty, List<MountInfo> mounts) {
    String root = "/" + tty.ptyNumber();
    return mounts.stream().filter(m -> m.device().equals(tty.devptsDevice()) && m.root().equals(root))
        .map(MountInfo::mountPoint).toList();
  }

  /**
   * The consoles after the first: other ptys of the first console's devpts mounted at {@code /dev/ttyN} (N &ge; 2,
   * console N-1, as libvirt_lxc and virt-lxc's controller mount them), with all their mount points, by index.
   */
  public static List<ExtraConsole> extraConsoles(ConsoleTty first, List<MountInfo> mounts) {
    java.util.TreeMap<Integer, String> roots = new java.util.TreeMap<>();
    for (MountInfo m : mounts) {
      java.util.regex.Matcher tty = java.util.regex.Pattern.compile("/dev/tty([0-9]+)").matcher(m.mountPoint());
      if (m.device().equals(first.devptsDevice()) && tty.matches() && Integer.parseInt(tty.group(1)) >= 2
          && m.root().matches("/[0-9]+") && !m.root().equals("/" + first.ptyNumber())) {
        roots.put(Integer.parseInt(tty.group(1)) - 1, m.root());
      }
    }
    List<ExtraConsole> consoles = new ArrayList<>();
    for (var e : roots.entrySet()) {
      long pty = Long.parseLong(e.getValue().substring(1));
      ConsoleTty tty = first.sibling(pty);
      consoles.add(new ExtraConsole(e.getKey(), tty, mountPointsOf(tty, mounts)));
    }
    return consoles;
  }
}
