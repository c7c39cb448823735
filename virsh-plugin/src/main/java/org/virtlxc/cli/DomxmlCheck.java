package org.virtlxc.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.DomainXmlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code virt-lxc domxml-check FILE}: prints the XML the model writes for FILE, or the error. */
@Command(name = "domxml-check", mixinStandardHelpOptions = true,
    description = "Check an LXC domain XML file: print it as virt-lxc reads and writes it, or say what is wrong.")
final class DomxmlCheck implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "domain XML file")
  Path file;

  @Override
  public Integer call() {
    try {
      spec.commandLine().getOut().print(DomainXml.format(DomainXml.parse(file)));
      spec.commandLine().getOut().flush();
      return 0;
    } catch (DomainXmlException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
  }
}
