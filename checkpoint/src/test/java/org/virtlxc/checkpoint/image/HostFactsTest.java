package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFactsTest {
  @TempDir Path tmp;

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    return out;
  }

  @Test
  void currentDescribesThisHostAndItsInstalledCriu() throws Exception {
    TestHost.require(Files.isExecutable(HostFacts.INSTALLED_CRIU), "CRIU installed at " + HostFacts.INSTALLED_CRIU);
    HostFacts h = HostFacts.current();
    assertEquals(run("uname", "-r"), h.kernelRelease());
    assertEquals(run("uname", "-m"), h.arch());
    String version = run(HostFacts.INSTALLED_CRIU.toString(), "--version");
    assertTrue(version.contains("Version: " + h.criuVersion().replaceAll("\\.0$", "")), version + " vs " + h);
    String firstFlags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.matches("(flags|Features)\\s*:.*"))
        .findFirst().orElseThrow();
    List<String> listed = List.of(firstFlags.substring(firstFlags.indexOf(':') + 1).trim().split("\\s+"));
    assertTrue(listed.containsAll(h.cpuFlags()), "common flags are among the first CPU's");
    assertTrue(!h.cpuFlags().isEmpty());
    assertTrue(Compatibility.check(manifestFrom(h), h).compatible(), "a host is compatible with itself");
  }

  @Test
  void commonFlagsAreThoseEveryCpuHas() {
    String cpuinfo = "processor\t: 0\nflags\t\t: fpu sse avx512f xsave\n\nprocessor\t: 1\nflags\t\t: fpu sse xsave\n";
    assertEquals(java.util.Set.of("fpu", "sse", "xsave"), HostFacts.commonCpuFlags(cpuinfo));
  }

  @Test
  void criuVersionOutputIsParsed() {
    assertEquals(new CriuVersion(4, 1, 1), CriuVersion.fromVersionOutput("Version: 4.1.1\n"));
    assertEquals(new CriuVersion(3, 17, 0), CriuVersion.fromVersionOutput("Version: 3.17\nGitID: v3.17-1-gabc\n"));
    assertTrue(CriuVersion.parse("4.0").compareTo(CriuVersion.parse("3.19.2")) > 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CriuVersion.fromVersionOutput("criu: unknown option"));
    assertTrue(e.getMessage().contains("no 'Version:' line"), e.getMessage());
  }

  @Test
  void aBrokenCriuIsNamedInTheError() throws IOException {
    Path fake = tmp.resolve("vlxct-ckimage-criu");
    Files.writeString(fake, "#!/bin/sh\necho 'criu: cannot load libcompel' >&2\nexit 3\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    IOException e = assertThrows(IOException.class, () -> HostFacts.current(fake));
    assertTrue(e.getMessage().contains(fake + " --version exited with 3") && e.getMessage().contains("libcompel"),
        e.getMessage());
    IOException missing = assertThrows(IOException.class, () -> HostFacts.current(tmp.resolve("vlxct-ckimage-none")));
    assertTrue(missing.getMessage().contains("vlxct-ckimage-none"), missing.getMessage());
  }

  static Manifest manifestFrom(HostFacts h) throws SaveImageException {
    return Manifest.builder(TestImages.domainXml("/sbin/init")).host(h).build();
  }
}
