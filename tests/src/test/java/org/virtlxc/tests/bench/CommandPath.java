package org.virtlxc.tests.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.virtlxc.checkpoint.image.Compression;

/**
 * The commands an operator runs: {@code virt-lxc save DOMAIN FILE [--compress=zstd]} and {@code virt-lxc restore FILE},
 * each a fresh JVM that connects to libvirtd, timed from the command's start until it returned (for restore: the
 * domain runs). A save's figure is the whole command, so it is an upper bound of its downtime (the JVM's start and the
 * connection come before the freeze); the restore's split into libvirtd, controller and CRIU comes from the processes'
 * start times, as for {@link ServicePath}, its first part ("libvirtd until controller forked") here from the command's
 * start: the command's JVM, its connection to libvirtd and the image's check come first.
 */
final class CommandPath implements SaveRestorePath {
  private final Path command;
  private final Path logs;

  CommandPath(Path command, Path logs) {
    this.command = command;
    this.logs = logs;
  }

  @Override
  public SaveTiming save(String name, Path image, Compression compression) throws Exception {
    Files.deleteIfExists(image);
    List<String> cmd = new ArrayList<>(List.of(command.toString(), "-c", "lxc:///", "save", name, image.toString()));
    if (compression != Compression.NONE) {
      cmd.add("--compress=" + compression.label());
    }
    long t0 = System.nanoTime();
    Host.runOk(cmd, Map.of(), logs.resolve("virt-lxc-command.log"));
    long took = System.nanoTime() - t0;
    return new SaveTiming(took, 0, 0, 0, Files.size(image));
  }

  @Override
  public RestoreTiming restore(String name, Path image) throws Exception {
    double before = ServicePath.uptime();
    long t0 = System.nanoTime();
    Host.runOk(List.of(command.toString(), "-c", "lxc:///", "restore", image.toString()), Map.of(),
        logs.resolve("virt-lxc-command.log"));
    long init = VirtLxcDomain.initPid(name);
    long took = System.nanoTime() - t0;
    double after = ServicePath.uptime();
    return new RestoreTiming(took, 0, took, ServicePath.split(name, init, before, after));
  }
}
