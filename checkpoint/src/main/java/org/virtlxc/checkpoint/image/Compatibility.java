package org.virtlxc.checkpoint.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Decides whether an image dumped on one host can be restored on another, before anything is touched. */
public final class Compatibility {
  private Compatibility() {}

  /**
   * Compares the dump host recorded in {@code manifest} with {@code host}: the architecture must match; on x86 the
   * CPU flags CRIU checks (see {@link CriuCpuFlags}) that the dump host had must be present, and the XSAVE feature
   * flags must be equal; the CRIU release must not be older. Other missing CPU flags and an older kernel are
   * warnings.
   */
  public static CompatibilityReport check(Manifest manifest, HostFacts host) {
    HostFacts dumped = manifest.host();
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (!dumped.arch().equals(host.arch())) {
      problems.add("it was dumped on a " + dumped.arch() + " host, this host is " + host.arch());
    } else if (dumped.arch().equals("x86_64") || dumped.arch().matches("i[3-6]86")) {
      checkX86Flags(dumped, host, problems, warnings);
    } else {
      Set<String> missing = missing(dumped.cpuFlags(), host.cpuFlags(), null);
      if (!missing.isEmpty()) {
        warnings.add("this host's CPU lacks features of the dump host: " + String.join(" ", missing));
      }
    }
    checkCriu(dumped, host, problems);
    checkKernel(dumped, host, warnings);
    return new CompatibilityReport(problems, warnings);
  }

  private static void checkX86Flags(HostFacts dumped, HostFacts host, List<String> problems, List<String> warnings) {
    Set<String> needed = new TreeSet<>(CriuCpuFlags.INSTRUCTIONS);
    needed.addAll(CriuCpuFlags.FPU);
    Set<String> missingNeeded = missing(dumped.cpuFlags(), host.cpuFlags(), needed);
    if (!missingNeeded.isEmpty()) {
      problems.add("this host's CPU lacks " + String.join(" ", missingNeeded)
          + ", which the dump host had (CRIU refuses to restore without them: --cpu-cap fpu,ins)");
    }
    Set<String> xsaveBefore = intersect(dumped.cpuFlags(), CriuCpuFlags.XSAVE_SIZE);
    Set<String> xsaveNow = intersect(host.cpuFlags(), CriuCpuFlags.XSAVE_SIZE);
    if (!xsaveBefore.equals(xsaveNow)) {
      problems.add("the XSAVE features differ (dump host: " + String.join(" ", xsaveBefore) + "; this host: "
          + String.join(" ", xsaveNow) + "), so the FPU state size differs and CRIU refuses the restore");
    }
    Set<String> otherMissing = missing(dumped.cpuFlags(), host.cpuFlags(), null);
    otherMissing.removeAll(needed);
    otherMissing.removeAll(CriuCpuFlags.XSAVE_SIZE);
    if (!otherMissing.isEmpty()) {
      warnings.add("this host's CPU lacks " + String.join(" ", otherMissing)
          + " (not checked by CRIU; programs that probed them at start may fail)");
    }
  }

  private static void checkCriu(HostFacts dumped, HostFacts host, List<String> problems) {
    CriuVersion then;
    CriuVersion now;
    try {
      then = CriuVersion.parse(dumped.criuVersion());
    } catch (IllegalArgumentException e) {
      problems.add("its CRIU version '" + dumped.criuVersion() + "' is not readable");
      return;
    }
    try {
      now = CriuVersion.parse(host.criuVersion());
    } catch (IllegalArgumentException e) {
      problems.add("this host's CRIU version '" + host.criuVersion() + "' is not readable");
      return;
    }
    if (now.compareTo(then) < 0) {
      problems.add("it was dumped by CRIU " + then + ", this host has the older CRIU " + now);
    }
  }

  private static void checkKernel(HostFacts dumped, HostFacts host, List<String> warnings) {
    if (compareKernel(host.kernelRelease(), dumped.kernelRelease()) < 0) {
      warnings.add("this host's kernel " + host.kernelRelease() + " is older than the dump host's "
          + dumped.kernelRelease() + "; CRIU may lack kernel features the processes used");
    }
  }

  /** Compares the leading numbers of two kernel releases ("6.18.44-fc" vs "6.1.0-26-amd64"). */
  static int compareKernel(String a, String b) {
    String[] x = a.split("[^0-9]+");
    String[] y = b.split("[^0-9]+");
    for (int i = 0; i < 3; i++) {
      long xi = i < x.length && !x[i].isEmpty() ? Long.parseLong(x[i]) : 0;
      long yi = i < y.length && !y[i].isEmpty() ? Long.parseLong(y[i]) : 0;
      if (xi != yi) {
        return Long.compare(xi, yi);
      }
    }
    return 0;
  }

  private static Set<String> missing(List<String> had, List<String> has, Set<String> among) {
    Set<String> out = new TreeSet<>(had);
    out.removeAll(has);
    if (among != null) {
      out.retainAll(among);
    }
    return out;
  }

  private static Set<String> intersect(List<String> flags, Set<String> among) {
    Set<String> out = new TreeSet<>(flags);
    out.retainAll(among);
    return out;
  }
}
