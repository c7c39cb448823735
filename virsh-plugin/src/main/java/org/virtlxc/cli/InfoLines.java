package org.virtlxc.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** virsh's {@code Key: value} tables ({@code virsh dominfo}, {@code domjobinfo}): keys padded to one column. */
final class InfoLines {
  private final List<String[]> rows = new ArrayList<>();
  private final int minWidth;

  /** A table whose key column is at least {@code minWidth} wide (virsh: 15 for dominfo, 17 for domjobinfo). */
  InfoLines(int minWidth) {
    this.minWidth = minWidth;
  }

  InfoLines add(String key, Object value) {
    rows.add(new String[] {key + ":", String.valueOf(value)});
    return this;
  }

  String format() {
    int width = minWidth;
    for (String[] r : rows) {
      width = Math.max(width, r[0].length());
    }
    StringBuilder b = new StringBuilder();
    for (String[] r : rows) {
      b.append(String.format(Locale.ROOT, "%-" + width + "s %s", r[0], r[1]).stripTrailing()).append('\n');
    }
    return b.toString();
  }

  void print(PrintWriter out) {
    out.print(format());
    out.flush();
  }

  /** A size as virsh prints capacities ({@code vshPrettyCapacity}): "1.500 MiB", "512.000 B". */
  static String size(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.3f %s", v, units[u]);
  }
}
