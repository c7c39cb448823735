package org.virtlxc.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Directory names of a {@code <resource><partition>} as libvirt makes them (vircgroup.c
 * {@code virCgroupSetPartitionSuffix}, {@code virCgroupPartitionEscape}): each component gets ".partition" unless it
 * already contains a '.', except a top-level "machine", "system" or "user"; then a component is prefixed with '_' when
 * it starts with "cgroup.", '_' or '.', or with a controller name followed by '.'.
 *
 * <p>libvirt takes the controller names from {@code /proc/cgroups} by cutting each line at its first space. The kernel
 * separates that file's columns with tabs, so on real hosts the cut never happens, no name matches, and libvirt never
 * escapes "cpu.x"; {@link #libvirtControllerNames} reproduces that reading, so we escape exactly when libvirt does.
 */
public final class PartitionNames {
  private static final List<String> TOP_LEVEL = List.of("machine", "system", "user");
  private static final Path PROC_CGROUPS = Path.of("/proc/cgroups");
  private static volatile List<String> hostControllerNames;

  private PartitionNames() {}

  /** The directories of absolute partition {@code partition} ("/a/b" → ["a.partition", "b.partition"]). */
  public static List<String> directories(String partition, List<String> controllerNames) {
    List<String> dirs = new ArrayList<>();
    String[] tokens = partition.replaceAll("/+$", "").split("/", -1);
    for (int i = 1; i < tokens.length; i++) {    // tokens[0] is "" before the leading '/'
      String t = tokens[i];
      if (i == 1 && TOP_LEVEL.contains(t)) {
        dirs.add(t);
        continue;
      }
      if (!t.isEmpty() && t.indexOf('.') < 0) {
        t = t + ".partition";
      }
      dirs.add(escape(t, controllerNames));
    }
    return dirs;
  }

  /** {@code name} with a leading '_' when libvirt's virCgroupPartitionNeedsEscaping says so. */
  public static String escape(String name, List<String> controllerNames) {
    boolean needs = name.startsWith("cgroup.") || name.startsWith("_") || name.startsWith(".");
    for (String c : controllerNames) {
      needs |= name.startsWith(c) && name.length() > c.length() && name.charAt(c.length()) == '.';
    }
    return needs ? "_" + name : name;
  }

  /**
   * The "controller names" libvirt compares against, from the text of {@code /proc/cgroups}: each line but the
   * "#subsys_name" header, up to its first space, or the whole line (newline included) when it has none.
   */
  public static List<String> libvirtControllerNames(String procCgroups) {
    List<String> names = new ArrayList<>();
    for (String line : procCgroups.split("(?<=\n)")) {
      if (line.isEmpty() || line.startsWith("#subsys_name")) {
        continue;
      }
      int space = line.indexOf(' ');
      names.add(space < 0 ? line : line.substring(0, space));
    }
    return names;
  }

  /** {@link #libvirtControllerNames} of this host (read once; none when the file is missing). */
  public static List<String> hostControllerNames() {
    List<String> names = hostControllerNames;
    if (names == null) {
      try {
        names = libvirtControllerNames(Files.readString(PROC_CGROUPS));
      } catch (IOException e) {
        names = List.of();
      }
      hostControllerNames = names;
    }
    return names;
  }
}
