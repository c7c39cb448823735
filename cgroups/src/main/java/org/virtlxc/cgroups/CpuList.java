package org.virtlxc.cgroups;

import java.util.BitSet;

/** Kernel / libvirt CPU and node lists: "0-3,5", with libvirt's "^N" exclusions. */
public final class CpuList {
  private CpuList() {}

  /** Parses {@code list}; {@code what} names the XML element in the error. */
  public static BitSet parse(String list, String what) throws CgroupException {
    BitSet set = new BitSet();
    if (list.isBlank()) {
      return set;
    }
    try {
      for (String part : list.trim().split(",")) {
        part = part.trim();
        boolean exclude = part.startsWith("^");
        String range = exclude ? part.substring(1) : part;
        int dash = range.indexOf('-');
        int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
        int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
        if (from < 0 || to < from) {
          throw new NumberFormatException(part);
        }
        if (exclude) {
          set.clear(from, to + 1);
        } else {
          set.set(from, to + 1);
        }
      }
    } catch (NumberFormatException e) {
      throw CgroupException.config("unable to parse " + what + " '" + list + "': expected a list such as 0-3,5");
    }
    return set;
  }

  /** Formats a set the kernel's way: "0-3,5". */
  public static String format(BitSet set) {
    StringBuilder b = new StringBuilder();
    for (int i = set.nextSetBit(0); i >= 0; ) {
      int end = set.nextClearBit(i) - 1;
      b.append(b.length() == 0 ? "" : ",").append(i).append(end > i ? "-" + end : "");
      i = set.nextSetBit(end + 1);
    }
    return b.toString();
  }
}
