package org.virtlxc.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.image.Compatibility;
import org.virtlxc.checkpoint.image.CompatibilityReport;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.MemberDigest;
import org.virtlxc.checkpoint.image.SaveImageReader;
import org.virtlxc.checkpoint.image.VerifiedImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code virt-lxc save-image-info FILE}: what a save image holds, whether its checksums hold, and whether this host can
 * restore it. Exit status 1 when the checksums fail.
 */
@Command(name = "save-image-info", mixinStandardHelpOptions = true,
    description = "Describe a save image: domain, dump host, contents, checksums and compatibility with this host.")
final class SaveImageInfo implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "save image")
  Path file;

  @Option(names = "--no-verify", description = "read the manifest only; do not check the whole image's checksums")
  boolean noVerify;

  @Option(names = "--members", description = "also list every payload member with its size")
  boolean members;

  @Override
  public Integer call() throws Exception {
    Manifest m = SaveImageReader.readManifest(file);
    String checksums;
    boolean ok = true;
    if (noVerify) {
      checksums = "not checked (--no-verify)";
    } else {
      try {
        VerifiedImage v = SaveImageReader.verify(file);
        long crc = v.members().stream().filter(d -> d.algorithm() == MemberDigest.Algorithm.CRC32C_CHUNKS).count();
        checksums = "verified (" + v.members().size() + " members" + (crc == 0 ? ")"
            : ": " + (v.members().size() - crc) + " by SHA-256, " + crc + " page image" + (crc == 1 ? "" : "s")
            + " by CRC32C)");
      } catch (IOException e) {
        checksums = "FAILED: " + e.getMessage();
        ok = false;
      }
    }
    CompatibilityReport report = null;
    String hostError = null;
    try {
      report = Compatibility.check(m, HostFacts.current(Criu.fromSystemProperty().binary()));
    } catch (IOException e) {
      hostError = e.getMessage();
    }
    spec.commandLine().getOut().print(SaveImageInfoFormat.format(file, Files.size(file), m, checksums, report,
        hostError, members));
    spec.commandLine().getOut().flush();
    return ok ? 0 : 1;
  }
}
