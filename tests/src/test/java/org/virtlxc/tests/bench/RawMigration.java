package org.virtlxc.tests.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.virtlxc.tests.SimulatedHost;

/**
 * The raw baseline of a stop-and-copy migration, without libvirt or virt-lxc: a {@link RawCriu} tree ({@code memtouch
 * MIB}) started on one simulated host, {@code criu dump} of it there into a directory, that directory sent to the
 * other host over TCP ({@code tar} through busybox {@code nc}, the receiver listening before the clock starts, done
 * when the receiving {@code tar} has written the last file), {@code criu restore -d} there. Both directories are on
 * the shared {@code /tmp}, as the hosts' private directories where virt-lxc dumps and unpacks are.
 */
final class RawMigration {
  private static final String PORT = "16599";

  private final RawCriu raw;
  private final Path work;
  private int serial;

  /** Phases of one run, nanoseconds, and the bytes of the dump. */
  record Timing(long dumpNanos, long transferNanos, long restoreNanos, long bytes) {
    long totalNanos() {
      return dumpNanos + transferNanos + restoreNanos;
    }
  }

  RawMigration(RawCriu raw, Path work) {
    this.raw = raw;
    this.work = work;
  }

  /** One run from {@code from} to {@code to}; the restored tree is killed and both directories removed after it. */
  Timing run(SimulatedHost from, SimulatedHost to) throws Exception {
    int n = ++serial;
    Path dumped = work.resolve("raw-dump-" + n);
    Path received = Files.createDirectories(work.resolve("raw-received-" + n));
    Path log = work.resolve("raw-transfer.log");
    try {
      RawCriu source = raw.on(from.command().command());
      long init = source.start();
      Process receiver = to.command("busybox", "nc", "-l", "-p", PORT, "-e", "tar", "-x", "-f", "-", "-C",
          received.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      awaitListening(to, receiver);
      long dump;
      try {
        dump = source.dump(init, dumped);
      } catch (Exception e) {
        throw new IllegalStateException("raw criu dump on " + from.name() + " failed: "
            + Host.tail(dumped.resolve("dump.log")), e);
      }
      long bytes = sizeOf(dumped);

      long t0 = System.nanoTime();
      from.run("busybox", "nc", to.address(), PORT, "-e", "tar", "-c", "-f", "-", "-C", dumped.toString(), ".").ok();
      if (!receiver.waitFor(10, TimeUnit.MINUTES) || receiver.exitValue() != 0) {
        receiver.destroyForcibly();
        throw new IllegalStateException("the receiving tar on " + to.name() + " failed: " + Host.tail(log));
      }
      long transfer = System.nanoTime() - t0;

      long[] restored = raw.on(to.command().command()).restore(received);
      Host.kill(restored[1]);
      return new Timing(dump, transfer, restored[0], bytes);
    } finally {
      Host.deleteTree(dumped);
      Host.deleteTree(received);
    }
  }

  private static void awaitListening(SimulatedHost h, Process receiver) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (!h.run("ss", "-Hltn", "sport = :" + PORT).ok().out().isBlank()) {
        return;
      }
      if (!receiver.isAlive()) {
        throw new IllegalStateException("the receiving nc on " + h.name() + " ended with " + receiver.exitValue());
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the receiving nc on " + h.name() + " does not listen on " + PORT);
  }

  private static long sizeOf(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** Lists what {@link #run} measures, for the benchmark's header. */
  static List<String> describe() {
    return List.of("raw = criu dump -t of memtouch MIB (own pid/uts/ipc namespaces, no libvirt) on the source host",
        "      + tar of the dump directory over TCP to the other host (busybox nc) + criu restore -d there");
  }
}
