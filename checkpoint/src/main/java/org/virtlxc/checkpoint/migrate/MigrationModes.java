package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.criu.Criu;

/**
 * Which migration modes this host can run. Stop-and-copy always; pre-copy ({@code --live}) needs the kernel's
 * soft-dirty memory tracking ({@code criu check --feature mem_dirty_track}), which kernels built without
 * {@code CONFIG_MEM_SOFT_DIRTY} lack (this project's machines do); post-copy ({@code --postcopy}) needs CRIU's lazy
 * page server to get its pipe ({@link org.virtlxc.checkpoint.LazySave#pipeSizeProblem()}) here, and userfaultfd on the
 * destination (checked there).
 */
final class MigrationModes {
  private MigrationModes() {}

  /** Refuses, with the reason, a mode this host cannot run. */
  static void check(String domainName, MigrationOptions options, Criu criu) throws CheckpointException {
    String what = "unable to migrate domain " + domainName;
    if (options.postcopy() && options.live()) {
      throw new CheckpointException(what + ": --postcopy and --live exclude each other here (pre-copy rounds before"
          + " post-copy are not implemented)");
    }
    if (options.postcopy() && options.copyStorage() != StorageCopy.NONE) {
      throw new CheckpointException(what + ": --postcopy and --copy-storage-all|--copy-storage-inc exclude each other"
          + " here (the storage copy's final pass runs in the stop-and-copy flow only)");
    }
    if (options.postcopy()) {
      java.util.Optional<String> pipe = org.virtlxc.checkpoint.LazySave.pipeSizeProblem();
      if (pipe.isPresent()) {
        throw new CheckpointException(what + ": post-copy migration (--postcopy) cannot run on this host: "
            + pipe.get());
      }
      return;
    }
    if (options.live() && !feature(criu, "mem_dirty_track")) {
      throw new CheckpointException(what + ": live migration (--live) copies memory while the domain runs (pre-copy),"
          + " which needs soft-dirty memory tracking, and this kernel has none ('criu check --feature"
          + " mem_dirty_track' fails: the kernel lacks CONFIG_MEM_SOFT_DIRTY); migrate without --live (stop-and-copy:"
          + " the domain is stopped while its memory is copied)");
    }
    if (options.live()) {
      throw new CheckpointException(what + ": live migration (--live, pre-copy) is not implemented yet although"
          + " this kernel tracks dirty memory; migrate without --live (stop-and-copy)");
    }
  }

  /** Whether {@code criu check --feature NAME} passes. */
  static boolean feature(Criu criu, String name) throws CheckpointException {
    List<String> cmd = criu.command(List.of("check", "--feature", name));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new CheckpointException("unable to check CRIU feature " + name + ": " + String.join(" ", cmd)
            + " did not finish in 30 s");
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      throw new CheckpointException("unable to run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointException("interrupted while checking CRIU feature " + name, e);
    }
  }
}
