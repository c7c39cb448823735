package org.virtlxc.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.virtlxc.checkpoint.image.SaveImageReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code virt-lxc save-image-dumpxml FILE}: the domain XML a save image restores, read from its manifest alone. */
@Command(name = "save-image-dumpxml", mixinStandardHelpOptions = true,
    description = "Print the domain XML recorded in a save image (reads only its manifest).")
final class SaveImageDumpxml implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "save image")
  Path file;

  /** virsh's flag for passwords in {@code <graphics>}; an LXC domain as virt-lxc models it holds none. */
  @Option(names = "--security-info", description = "include security sensitive information (accepted for virsh"
      + " compatibility: the LXC domain XML virt-lxc records holds none)")
  boolean securityInfo;

  @Override
  public Integer call() throws Exception {
    String xml = SaveImageReader.readManifest(file).domainXml();
    spec.commandLine().getOut().print(xml.endsWith("\n") ? xml : xml + "\n");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
