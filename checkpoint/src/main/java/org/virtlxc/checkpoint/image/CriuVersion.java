package org.virtlxc.checkpoint.image;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A CRIU release number such as 4.1.1, comparable (criu's own major.minor.sublevel). */
public record CriuVersion(int major, int minor, int sublevel) implements Comparable<CriuVersion> {
  private static final Pattern NUMBER = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
  private static final Pattern VERSION_LINE = Pattern.compile("(?m)^Version:\\s*(\\S+)");

  /** Parses "4.1" or "4.1.1". */
  public static CriuVersion parse(String text) {
    Matcher m = NUMBER.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a CRIU version: '" + text + "' (expected e.g. 4.1.1)");
    }
    return new CriuVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
  }

  /** Reads the output of {@code criu --version} ("Version: 4.1.1", optionally followed by "GitID: ..."). */
  public static CriuVersion fromVersionOutput(String output) {
    Matcher m = VERSION_LINE.matcher(output == null ? "" : output);
    if (!m.find()) {
      throw new IllegalArgumentException("no 'Version:' line in criu --version output: '" + output + "'");
    }
    return parse(m.group(1));
  }

  @Override
  public int compareTo(CriuVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    return c != 0 ? c : Integer.compare(sublevel, o.sublevel);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + sublevel;
  }
}
