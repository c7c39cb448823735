package org.virtlxc.cli;

import java.util.concurrent.Callable;
import org.libvirt.Connect;
import org.virtlxc.api.Checkpoints;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.SaveOptions;
import org.virtlxc.checkpoint.image.RunState;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code virt-lxc managedsave DOMAIN}: save into virt-lxc's state directory; the next start restores it. */
@Command(name = "managedsave", mixinStandardHelpOptions = true,
    description = "Save a running domain's processes so that its next start (virsh start) restores them.")
final class ManagedSave implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  VirtLxc parent;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name")
  String domain;

  @ArgGroup(exclusive = true)
  RunStateFlags state = new RunStateFlags();

  @Option(names = "--verbose", description = "display the progress of save")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Connect conn = LibvirtConnection.open(parent.uri);
    try {
      var dom = LibvirtConnection.domain(conn, domain);
      Checkpoints.create().managedSave(dom, SaveOptions.defaults().withRunState(state.orElse(RunState.RUNNING))
          .withListener(ProgressPrinter.of(verbose, spec.commandLine().getErr(), "Managedsave")));
    } catch (CheckpointException e) {
      throw new CommandException("Failed to save domain '" + domain + "' state", e.getMessage());
    } finally {
      LibvirtConnection.close(conn);
    }
    spec.commandLine().getOut().println();
    spec.commandLine().getOut().println("Domain '" + domain + "' state saved by libvirt");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
