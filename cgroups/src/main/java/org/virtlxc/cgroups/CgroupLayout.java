package org.virtlxc.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host's cgroup mounts, as seen in {@code /proc/self/mountinfo}, and this process's placement from
 * {@code /proc/self/cgroup}. Only mounts of a hierarchy's root ("/" in mountinfo's root field) are used.
 *
 * @param mode       V1 (only v1 controllers), V2 (only cgroup2) or HYBRID (v1 controllers plus a cgroup2 mount)
 * @param v1Mounts   v1 controller (or "name=systemd") → mount point; co-mounted controllers share a mount point
 * @param v2Mount    the cgroup2 mount point, or null
 * @param placement  this process's cgroup per hierarchy: key is the controller list ("cpu,cpuacct", "" for v2)
 */
public record CgroupLayout(Mode mode, Map<String, Path> v1Mounts, Path v2Mount, Map<String, String> placement) {

  /** Host cgroup layouts. */
  public enum Mode { V1, V2, HYBRID }

  private static final Set<String> NOT_CONTROLLERS = Set.of("rw", "ro", "noprefix", "clone_children", "xattr",
      "cpuset_v2_mode", "favordynmods", "nofavordynmods", "none");

  public CgroupLayout {
    v1Mounts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(v1Mounts));
    placement = Map.copyOf(placement);
  }

  /** Reads this process's mountinfo and cgroup files. */
  public static CgroupLayout detect() throws CgroupException {
    try {
      return parse(Files.readString(Path.of("/proc/self/mountinfo")), Files.readString(Path.of("/proc/self/cgroup")));
    } catch (IOException e) {
      throw new CgroupException(CgroupException.Code.SYSTEM, "unable to detect cgroup layout: " + e.getMessage(), e);
    }
  }

  /** Parses the text of {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}. */
  public static CgroupLayout parse(String mountinfo, String procCgroup) throws CgroupException {
    Map<String, Path> v1 = new LinkedHashMap<>();
    Path v2 = null;
    for (String line : mountinfo.split("\n")) {
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] pre = line.substring(0, dash).split(" ");
      String[] post = line.substring(dash + 3).split(" ");
      if (pre.length < 5 || post.length < 3 || !pre[3].equals("/")) {
        continue;
      }
      Path mountPoint = Path.of(unescape(pre[4]));
      if (post[0].equals("cgroup2") && v2 == null) {
        v2 = mountPoint;
      } else if (post[0].equals("cgroup")) {
        for (String opt : post[2].split(",")) {
          if (!NOT_CONTROLLERS.contains(opt) && !opt.startsWith("release_agent=")) {
            v1.putIfAbsent(opt, mountPoint);
          }
        }
      }
    }
    boolean v1Controllers = v1.keySet().stream().anyMatch(c -> !c.startsWith("name="));
    Mode mode;
    if (v1Controllers) {
      mode = v2 == null ? Mode.V1 : Mode.HYBRID;
    } else if (v2 != null) {
      mode = Mode.V2;
    } else {
      throw new CgroupException(CgroupException.Code.UNSUPPORTED,
          "unable to detect cgroup layout: no cgroup or cgroup2 mount in mountinfo");
    }
    return new CgroupLayout(mode, v1, v2, parsePlacement(procCgroup));
  }

  /** The {@code /proc/<pid>/cgroup} text as controller list → path ("" for the cgroup2 line). */
  static Map<String, String> parsePlacement(String procCgroup) {
    Map<String, String> placement = new LinkedHashMap<>();
    for (String line : procCgroup.split("\n")) {
      String[] f = line.split(":", 3);
      if (f.length == 3) {
        placement.put(f[1], f[2]);
      }
    }
    return placement;
  }

  /** Mountinfo escapes space, tab, newline and backslash as octal {@code \ooo}. */
  static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() + 0 && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The distinct v1 hierarchy mount points, named ones ("name=systemd") included, in mountinfo order. */
  public List<Path> v1Hierarchies() {
    return new ArrayList<>(new LinkedHashSet<>(v1Mounts.values()));
  }

  /** Mount point of v1 controller {@code controller}, or null when it is not mounted. */
  public Path v1Mount(String controller) {
    return v1Mounts.get(controller);
  }
}
