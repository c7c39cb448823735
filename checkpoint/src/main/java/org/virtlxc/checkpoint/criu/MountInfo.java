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
}
