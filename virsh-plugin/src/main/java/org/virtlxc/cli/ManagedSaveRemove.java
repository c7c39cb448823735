package org.virtlxc.cli;

import java.util.concurrent.Callable;
import org.libvirt.Connect;
import org.virtlxc.api.Checkpoints;
import org.virtlxc.checkpoint.CheckpointException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code virt-lxc managedsave-remove DOMAIN}: drop the managed save; the next start boots. */
@Command(name = "managedsave-remove", mixinStandardHelpOptions = true,
    description = "Remove a domain's managed save image.")
final class ManagedSaveRemove implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  VirtLxc parent;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name")
  String domain;

  @Override
  public Integer call() throws Exception {
    Connect conn = LibvirtConnection.open(parent.uri);
    boolean removed;
    try {
      removed = Checkpoints.create().removeManagedSave(LibvirtConnection.domain(conn, domain));
    } catch (CheckpointException e) {
      throw new CommandException("Failed to remove managed save image for domain '" + domain + "'",
          e.getMessage());
    } finally {
      LibvirtConnection.close(conn);
    }
    spec.commandLine().getOut().println(removed ? "Removed managedsave image for domain '" + domain + "'"
        : "Domain '" + domain + "' has no manage save image; removal skipped");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
