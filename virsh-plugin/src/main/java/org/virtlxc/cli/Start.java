package org.virtlxc.cli;

import java.util.concurrent.Callable;
import org.libvirt.Connect;
import org.virtlxc.api.Checkpoints;
import org.virtlxc.checkpoint.CheckpointException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code virt-lxc start DOMAIN}: start from the managed save if there is one (in its saved state), else boot. */
@Command(name = "start", mixinStandardHelpOptions = true,
    description = "Start a domain: from its managed save if it has one, else boot it.")
final class Start implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  VirtLxc parent;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name")
  String domain;

  @Option(names = "--force-boot", description = "discard the managed save image, then boot")
  boolean forceBoot;

  @Override
  public Integer call() throws Exception {
    Connect conn = LibvirtConnection.open(parent.uri);
    try {
      Checkpoints.create().start(LibvirtConnection.domain(conn, domain), forceBoot);
    } catch (CheckpointException e) {
      throw new CommandException("Failed to start domain '" + domain + "'", e.getMessage());
    } finally {
      LibvirtConnection.close(conn);
    }
    spec.commandLine().getOut().println("Domain '" + domain + "' started");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
