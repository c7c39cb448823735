package org.virtlxc.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
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
    exitCodeList = {"0:success", "1:the operation failed", "2:invalid command line"})
public final class VirtLxc implements Runnable {
  /** Options that only print: no warm-up for them. */
  private static final Set<String> HELP_OR_VERSION = Set.of("-h", "--help", "-V", "--version");
  /**
   * The verbs, in the order the usage lists them. Picocli reads a verb's annotations when it is added, about 0.1 s
   * for all of them in a fresh JVM, so {@link #main} adds only the verb it runs (see {@link #verbOf}).
   */
  private static final List<Class<?>> VERBS = List.of(Define.class, Adopt.class, DomxmlCheck.class, Save.class,
      Restore.class, ManagedSave.class, ManagedSaveRemove.class, Start.class, SaveImageDumpxml.class,
      SaveImageDefine.class, SaveImageInfo.class, DomJobInfo.class, DomJobAbort.class, Migrate.class,
      MigrationServiceCommand.class, HelpCommand.class);

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
    return create(out, err, null);
  }

  /**
   * The same with only verb {@code verb} if it is one of {@link #VERBS} other than {@code help} (which needs the
   * others), else with all of them, so that usage, {@code help VERB} and an unknown verb's error are as always.
   */
  static CommandLine create(PrintWriter out, PrintWriter err, String verb) {
    CommandLine cli = new CommandLine(new VirtLxc());
    List<Class<?>> added = VERBS.stream().filter(c -> nameOf(c).equals(verb)).toList();
    (added.isEmpty() || "help".equals(verb) ? VERBS : added).forEach(cli::addSubcommand);
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
    CommandLogProvider.select();
    String verb = verbOf(args);
    CommandWarmUp.begin(Arrays.stream(args).anyMatch(HELP_OR_VERSION::contains) ? null : verb);
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(create(out, err, verb).execute(args));
  }

  /** The verb in {@code args}: the first argument that is neither an option nor {@code -c}'s URI; null if none. */
  static String verbOf(String... args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-c") || a.equals("--connect")) {
        i++;
      } else if (!a.startsWith("-")) {
        return a;
      }
    }
    return null;
  }

  private static String nameOf(Class<?> verb) {
    return verb.getAnnotation(Command.class).name();
  }
}
