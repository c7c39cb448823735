package org.virtlxc.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.libvirt.Connect;
import java.util.concurrent.Callable;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.DomainXmlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code virt-lxc define FILE}: {@code virsh define}, with virt-lxc's controller as the domain's emulator. */
@Command(name = "define", mixinStandardHelpOptions = true,
    description = "Define (but don't start) a domain from an XML file, run by virt-lxc's controller.")
final class Define implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  VirtLxc parent;

  @Parameters(index = "0", paramLabel = "FILE", description = "domain XML file")
  Path file;

  @Option(names = "--emulator", paramLabel = "PATH",
      description = "controller to name in <emulator> (default: ${DEFAULT-VALUE})")
  String emulator = InstalledController.path();

  @Override
  public Integer call() throws CommandException {
    try {
      DomainXml.parse(file);
    } catch (DomainXmlException e) {
      throw new CommandException(e.getMessage(), null);
    }
    Emulators.requireExecutable(emulator);
    String xml;
    try {
      xml = Files.readString(file);
    } catch (IOException e) {
      throw new CommandException("unable to read " + file, e.getMessage());
    }
    EmulatorSwitch doc = EmulatorSwitch.of(xml).setEmulator(emulator);
    Connect conn = LibvirtConnection.open(parent.uri);
    try {
      LibvirtConnection.define(conn, doc.xml(), file.toString());
    } finally {
      LibvirtConnection.close(conn);
    }
    spec.commandLine().getOut().println("Domain '" + doc.name() + "' defined from " + file);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
