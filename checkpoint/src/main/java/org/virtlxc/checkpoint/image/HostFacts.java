package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What a restore host must match of the host a domain was dumped on: kernel release, machine architecture (as
 * {@code uname -m}), the CPU flags every CPU of the host has (from {@code /proc/cpuinfo}), and the CRIU release.
 *
 * @param kernelRelease {@code uname -r}
 * @param arch          {@code uname -m}, e.g. x86_64
 * @param cpuFlags      sorted; the flags common to all CPUs ("flags" on x86, "Features" on arm64)
 * @param criuVersion   e.g. 4.1.1
 */
public record HostFacts(String kernelRelease, String arch, List<String> cpuFlags, String criuVersion) {
  /** The CRIU virt-lxc installs and uses. */
  public static final Path INSTALLED_CRIU = Path.of("/usr/local/lib/virt-lxc/bin/criu");

  public HostFacts {
    cpuFlags = List.copyOf(new TreeSet<>(cpuFlags));
  }

  /** This host, with the CRIU virt-lxc installs. */
  public static HostFacts current() throws IOException {
    return current(INSTALLED_CRIU);
  }

  /** This host, with the CRIU at {@code criu}. */
  public static HostFacts current(Path criu) throws IOException {
    String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
    String arch = Files.readString(Path.of("/proc/sys/kernel/arch")).trim();
    Set<String> flags = commonCpuFlags(Files.readString(Path.of("/proc/cpuinfo")));
    return new HostFacts(kernel, arch, List.copyOf(flags), criuVersion(criu).toString());
  }

  /** The flags every processor in a {@code /proc/cpuinfo} text has. */
  static Set<String> commonCpuFlags(String cpuinfo) {
    Set<String> common = null;
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      if (!key.equals("flags") && !key.equals("Features")) {
        continue;
      }
      Set<String> these = new TreeSet<>(List.of(line.substring(colon + 1).trim().split("\\s+")));
      these.remove("");
      if (common == null) {
        common = these;
      } else {
        common.retainAll(these);
      }
    }
    return common == null ? new TreeSet<>() : common;
  }

  /** Runs {@code criu --version} and parses its answer. */
  static CriuVersion criuVersion(Path criu) throws IOException {
    List<String> command = new ArrayList<>(List.of(criu.toString(), "--version"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("unable to read the CRIU version: " + criu + " --version did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("unable to read the CRIU version: interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("unable to read the CRIU version: " + criu + " --version exited with " + p.exitValue()
          + ": " + out.trim());
    }
    try {
      return CriuVersion.fromVersionOutput(out);
    } catch (IllegalArgumentException e) {
      throw new IOException("unable to read the CRIU version of " + criu + ": " + e.getMessage(), e);
    }
  }
}
