package org.virtlxc.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code virt-lxc} command: virsh-style verbs for LXC domains. Run bare, it prints its usage. */
@Command(name = "virt-lxc", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Save, restore and migrate libvirt LXC domains.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:success", "1:the operation failed", "2:invalid command line"},
    subcommands = {Define.class, Adopt.class, DomxmlCheck.class, Save.class, Restore.class, ManagedSave.class,
        ManagedSaveRemove.class, Start.class, SaveImageDumpxml.class, SaveImageDefine.class, SaveImageInfo.class,
        DomJobInfo.class, DomJobAbort.class, Migrate.class, MigrationServiceCommand.class, HelpCommand.class})
public final class VirtLxc implements Runnable {
  @Spec
  CommandSpec spec;

  @Option(names = {"-c", "--connect"}, paramLabel = "URI", description = "libvirt connection URI (default: ${DEFAULT-VALUE})")
  String uri = "lxc:///";

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** The command line with its output streams: the one place that wires exit codes and error printing. */
  public static CommandLine create(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new VirtLxc());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println(e instanceof CommandException c ? c.lines() : "error: " + e.getMessage());
      commandLine.getErr().flush();
      return 1;
    });
    return cli;
  }

  public static void main(String... args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(create(out, err).execute(args));
  }
}
