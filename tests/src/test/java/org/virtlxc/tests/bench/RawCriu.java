package org.virtlxc.tests.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The same kind of tree outside libvirt: {@code memtouch MIB} as pid 1 of its own pid, UTS and IPC namespaces
 * (started with {@code unshare}), dumped and restored with plain {@code criu dump -t} / {@code criu restore -d}, run on
 * this host or, {@link #on} a command prefix, inside a simulated host.
 */
final class RawCriu {
  private final List<String> prefix;
  private final Path criu;
  private final Path memtouch;
  private final int mib;
  private final Cleanup cleanup;
  private final Path logs;

  RawCriu(Path criu, Path memtouch, int mib, Path logs, Cleanup cleanup) {
    this(List.of(), criu, memtouch, mib, logs, cleanup);
  }

  private RawCriu(List<String> prefix, Path criu, Path memtouch, int mib, Path logs, Cleanup cleanup) {
    this.prefix = prefix;
    this.criu = criu;
    this.memtouch = memtouch;
    this.mib = mib;
    this.logs = logs;
    this.cleanup = cleanup;
  }

  /**
   * The same, each command run after {@code prefix} (which must exec it in the same process, as {@code nsenter} without
   * a pid namespace does), e.g. inside a simulated host: {@code SimulatedHost.command().command()}.
   */
  RawCriu on(List<String> prefix) {
    return new RawCriu(List.copyOf(prefix), criu, memtouch, mib, logs, cleanup);
  }

  /**
   * Starts a new tree; the host pid of its init once its memory is filled. Its stdio is /dev/null opened where it runs
   * (CRIU must find the file's mount in the tree's mount namespace).
   */
  long start() throws Exception {
    Process unshare = new ProcessBuilder(command("sh", "-c", "exec \"$@\" </dev/null >/dev/null 2>&1", "sh",
        "setsid", "unshare", "--pid", "--fork", "--uts", "--ipc", "setsid",
        memtouch.toString(), Integer.toString(mib))).redirectInput(Path.of("/dev/null").toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    long init = Host.onlyChild(unshare.pid());
    killAtCleanup(init);
    Host.awaitResident(init, mib, "raw tree");
    return init;
  }

  /** Dumps (and so ends) the tree of {@code init} into {@code dir}; nanoseconds {@code criu dump} took. */
  long dump(long init, Path dir) throws Exception {
    Files.createDirectories(dir);
    long t0 = System.nanoTime();
    Host.runOk(command(criu.toString(), "dump", "-t", Long.toString(init), "-D", dir.toString(), "-o", "dump.log"),
        Map.of(), logs.resolve("raw-criu.out"));
    return System.nanoTime() - t0;
  }

  /** fsync of every image file in {@code dir} (what the save image's durability costs on top); nanoseconds. */
  long fsync(Path dir) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("sync", "--data"));
    try (var s = Files.list(dir)) {
      s.filter(Files::isRegularFile).forEach(p -> cmd.add(p.toString()));
    }
    long t0 = System.nanoTime();
    Host.runOk(cmd, Map.of(), logs.resolve("raw-criu.out"));
    return System.nanoTime() - t0;
  }

  /** Restores the tree from {@code dir}; nanoseconds {@code criu restore -d} took; the restored init's pid. */
  long[] restore(Path dir) throws Exception {
    Path pidfile = dir.resolve("restored.pid");
    long t0 = System.nanoTime();
    Host.runOk(command(criu.toString(), "restore", "-d", "-D", dir.toString(), "-o", "restore.log", "--pidfile",
        pidfile.toString()), Map.of(), logs.resolve("raw-criu.out"));
    long took = System.nanoTime() - t0;
    long init = Long.parseLong(Files.readString(pidfile).strip());
    killAtCleanup(init);
    Host.awaitResident(init, mib, "restored raw tree");
    return new long[] {took, init};
  }

  private List<String> command(String... args) {
    List<String> c = new ArrayList<>(prefix);
    c.addAll(List.of(args));
    return c;
  }

  private void killAtCleanup(long pid) {
    cleanup.add("kill raw CRIU tree " + pid, () -> Host.kill(pid));
  }
}
