package org.virtlxc.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.checkpoint.image.SaveImageEditor;
import org.virtlxc.domainxml.DomainXml;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code virt-lxc save-image-define FILE XMLFILE [--running|--paused]}: replaces the domain XML a save image restores
 * with (host-specific edits such as bind sources or interfaces), atomically, checksums recomputed.
 */
@Command(name = "save-image-define", mixinStandardHelpOptions = true,
    description = "Replace the domain XML recorded in a save image (same domain name and UUID).")
final class SaveImageDefine implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "save image")
  Path file;

  @Parameters(index = "1", paramLabel = "XMLFILE", description = "the new domain XML")
  Path xmlFile;

  @ArgGroup(exclusive = true)
  State state;

  static final class State {
    @Option(names = "--running", required = true, description = "the restored domain runs")
    boolean running;

    @Option(names = "--paused", required = true, description = "the restored domain is paused")
    boolean paused;
  }

  @Override
  public Integer call() throws Exception {
    String xml;
    try {
      xml = Files.readString(xmlFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("domain XML file " + xmlFile + " does not exist", e);
    }
    DomainXml.parse(xmlFile); // errors name the file, line and element
    RunState runState = state == null ? null : state.paused ? RunState.PAUSED : RunState.RUNNING;
    SaveImageEditor.define(file, xml, runState);
    spec.commandLine().getOut().println("State file " + file + " edited.");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
