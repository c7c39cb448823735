package org.virtlxc.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Stack;
import java.util.concurrent.Callable;
import org.libvirt.Connect;
import org.virtlxc.api.Checkpoints;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.SaveOptions;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.image.RunState;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code virt-lxc save DOMAIN FILE}: virsh's {@code save} for LXC domains under virt-lxc's controller. */
@Command(name = "save", mixinStandardHelpOptions = true,
    description = "Save a running domain's processes to a file and shut it off (restore it with 'restore').")
final class Save implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  VirtLxc parent;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name")
  String domain;

  @Parameters(index = "1", paramLabel = "FILE", description = "where to save the domain")
  Path file;

  @ArgGroup(exclusive = true)
  RunStateFlags state = new RunStateFlags();

  @Option(names = "--leave-running", description = "leave the domain running (a live checkpoint)")
  boolean leaveRunning;

  @Option(names = "--compress", arity = "0..1", paramLabel = "zstd|none", preprocessor = CompressValue.class,
      description = "compress the image (without a value: zstd)")
  String compress = "none";

  @Option(names = "--verbose", description = "display the progress of save")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Compression compression;
    try {
      compression = Compression.fromLabel(compress);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "invalid value for --compress: " + e.getMessage());
    }
    Connect conn = LibvirtConnection.open(parent.uri);
    try {
      var dom = LibvirtConnection.domain(conn, domain);
      SaveOptions options = SaveOptions.defaults().withRunState(state.orElse(RunState.RUNNING))
          .withLeaveRunning(leaveRunning).withCompression(compression)
          .withListener(ProgressPrinter.of(verbose, spec.commandLine().getErr(), "Save"));
      Checkpoints.create().save(dom, file, options);
    } catch (CheckpointException e) {
      throw new CommandException("Failed to save domain '" + domain + "' to " + file, e.getMessage());
    } finally {
      LibvirtConnection.close(conn);
    }
    spec.commandLine().getOut().println();
    spec.commandLine().getOut().println("Domain '" + domain + "' saved to " + file);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /**
   * {@code --compress}'s value is optional: {@code --compress=none} or {@code --compress zstd} give one, while in
   * {@code save --compress web FILE} the next word is the domain, not a value, and compression is zstd.
   */
  static final class CompressValue implements IParameterPreprocessor {
    @Override
    public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
      boolean attached = !" ".equals(info.get("separator"));
      if (!attached && (args.isEmpty() || !isLabel(args.peek()))) {
        args.push(Compression.ZSTD.label());
      }
      return false;
    }

    private static boolean isLabel(String word) {
      try {
        Compression.fromLabel(word);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }
}
