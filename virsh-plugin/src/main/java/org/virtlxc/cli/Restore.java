package org.virtlxc.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.libvirt.Connect;
import org.virtlxc.api.Checkpoints;
import org.virtlxc.api.RestoreOptions;
import org.virtlxc.checkpoint.CheckpointException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code virt-lxc restore FILE}: virsh's {@code restore}; defines the domain if needed and starts it from FILE. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = "Restore a domain from a file made by 'save' (checked whole before anything is touched).")
final class Restore implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  VirtLxc parent;

  @Parameters(index = "0", paramLabel = "FILE", description = "the save image")
  Path file;

  @ArgGroup(exclusive = true)
  RunStateFlags state = new RunStateFlags();

  @Option(names = "--xml", paramLabel = "FILE", description = "domain XML to define the domain with instead of the"
      + " image's (same name and UUID)")
  Path xml;

  @Option(names = "--verbose", description = "display the progress of restore")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    RestoreOptions options = RestoreOptions.defaults().withRunState(state.orElse(null))
        .withListener(ProgressPrinter.of(verbose, spec.commandLine().getErr(), "Restore"));
    if (xml != null) {
      try {
        options = options.withDomainXml(Files.readString(xml));
      } catch (IOException e) {
        throw new CommandException("Failed to restore domain from " + file, "unable to read " + xml + ": "
            + e.getMessage());
      }
    }
    Connect conn = LibvirtConnection.open(parent.uri);
    try {
      Checkpoints.create().restore(conn, file, options);
    } catch (CheckpointException e) {
      throw new CommandException("Failed to restore domain from " + file, e.getMessage());
    } finally {
      LibvirtConnection.close(conn);
    }
    spec.commandLine().getOut().println("Domain restored from " + file);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
