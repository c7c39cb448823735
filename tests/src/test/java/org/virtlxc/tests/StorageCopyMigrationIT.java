package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code virt-lxc migrate --copy-storage-all|--copy-storage-inc} between the two simulated hosts of a {@link TwoHosts},
 * for a domain whose root filesystem is on storage of the source host only: under /var/lib/virt-lxc, which each host
 * has a private copy of. The workload keeps a file open and appends to it every tick, so a copy that missed what the
 * processes wrote before they stopped would fail CRIU's restore (it checks the sizes of open files).
 */
class StorageCopyMigrationIT {
  private static final String PREFIX = "vlxct-stcopy-";
  private static final String WORKLOAD = "exec 3>>/tmp/held.log; "
      + Counter.loop("echo tick $i >&3; echo $i > /tmp/last-$((i % 3))");

  @RegisterExtension
  static final MigrationHosts.PerClass hosts = new MigrationHosts.PerClass(PREFIX);

  @Test
  void aDomainOnLocalStorageMovesWithItsFilesAndComesBackIncrementally() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + UUID.randomUUID().toString().substring(0, 6);
    String storage = "/var/lib/virt-lxc/" + name;
    String root = storage + "/root";
    Path rootOnA = a.hostPath(root);
    Path rootOnB = b.hostPath(root);
    try {
      TestController.busyboxRoot(rootOnA);
      a.defineBusybox(name, UUID.randomUUID().toString(), Path.of(root),
          "/bin/sh", WORKLOAD, "", hosts.controller());
      a.virsh("start", name).ok();
      Counter.awaitAbove(rootOnA, 2, Duration.ofSeconds(30));
      assertFalse(Files.exists(rootOnB), "b has no copy yet");

      SimulatedHost.Result shared = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--pki",
          hosts.pki().toString());
      assertEquals(1, shared.status(), "without a copy, b refuses: " + shared.err());
      assertTrue(shared.err().contains("host path " + root + " of the domain does not exist"), shared.err());

      a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--persistent", "--undefinesource",
          "--copy-storage-all", "--pki", hosts.pki().toString()).ok();
      int atMove = Counter.current(rootOnA);
      assertEquals("running", b.virsh("domstate", name).ok().out().strip());
      int onB = Counter.awaitAbove(rootOnB, atMove, Duration.ofSeconds(30));
      System.out.println("a -> b with --copy-storage-all: counter " + atMove + " -> " + onB + " on b's copy");
      assertTrue(onB <= atMove + 5, "counts on from " + atMove + " in b's copy, not from 1: " + onB);
      assertTrue(Files.readString(rootOnB.resolve("tmp/held.log")).startsWith("tick 1\ntick 2\n"),
          "the held file came along and grows there");
      assertEquals(Counter.read(rootOnA), atMove, "a's files stay as they were when the domain left");

      SimulatedHost.Result full = b.virtLxc("migrate", name, "lxc+tcp://" + a.address() + "/system",
          "--copy-storage-all", "--pki", hosts.pki().toString());
      assertEquals(1, full.status(), full.err());
      assertTrue(full.err().contains("host path " + root + " already exists on this host and is not an empty"
          + " directory"), full.err());
      assertEquals("running", b.virsh("domstate", name).ok().out().strip(), "b runs on after the refusal");

      b.virtLxc("migrate", name, "lxc+tcp://" + a.address() + "/system", "--copy-storage-inc", "--pki",
          hosts.pki().toString()).ok();
      int back = Counter.current(rootOnB);
      assertEquals("running", a.virsh("domstate", name).ok().out().strip());
      int onA = Counter.awaitAbove(rootOnA, back, Duration.ofSeconds(30));
      System.out.println("b -> a with --copy-storage-inc: counter " + back + " -> " + onA + " on a's copy");
      assertTrue(onA <= back + 5 && back >= onB, "counts on from " + back + " back on a: " + onA);
      String heldOnA = Files.readString(rootOnA.resolve("tmp/held.log"));
      assertTrue(heldOnA.contains("tick " + back + "\n"), "a's copy has what was written on b");
    } finally {
      hosts.removeEverywhere(name);
      for (SimulatedHost h : List.of(a, b)) {
        TestController.deleteTree(h.hostPath(storage));
      }
    }
  }

  @Test
  void domjobabortDuringTheStorageCopyLeavesTheDomainRunningAndNoCopyThere() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + "abort-" + UUID.randomUUID().toString().substring(0, 6);
    String storage = "/var/lib/virt-lxc/" + name;
    String root = storage + "/root";
    Path rootOnA = a.hostPath(root);
    try {
      TestController.busyboxRoot(rootOnA);
      try (java.io.RandomAccessFile big = new java.io.RandomAccessFile(rootOnA.resolve("big").toFile(), "rw")) {
        big.setLength(2L << 30); // sparse here, 2 GiB to send: seconds of copying to abort in
      }
      a.defineBusybox(name, UUID.randomUUID().toString(), Path.of(root), "/bin/sh", Counter.LOOP, "",
          hosts.controller());
      a.virsh("start", name).ok();
      Counter.awaitAbove(rootOnA, 1, Duration.ofSeconds(30));
      Path log = hosts.shared().resolve(name + "-migrate.log");
      Process migrate = a.command(hosts.virtLxc().toString(), "migrate", name, "lxc+tcp://" + b.address() + "/system",
          "--copy-storage-all", "--pki", hosts.pki().toString()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      String info = "";
      for (int i = 0; i < 300 && !info.contains("copying storage"); i++) {
        info = a.virtLxc("domjobinfo", name).out();
        Thread.sleep(50);
      }
      assertTrue(info.matches("(?s).*Operation:\\s+Outgoing migration.*Phase:\\s+copying storage.*"), info);
      a.virtLxc("domjobabort", name).ok();
      assertTrue(migrate.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "migrate ends");
      assertEquals(1, migrate.exitValue(), Files.readString(log));
      assertTrue(Files.readString(log).contains("operation aborted"), Files.readString(log));
      assertTrue(a.virtLxc("domjobinfo", name, "--completed").ok().out().matches("(?s).*Job type:\\s+Cancelled.*"));
      assertEquals("running", a.virsh("domstate", name).ok().out().strip(), "the domain runs on here");
      int now = Counter.current(rootOnA);
      Counter.awaitAbove(rootOnA, now, Duration.ofSeconds(30));
      Path rootOnB = b.hostPath(root);
      for (int i = 0; i < 300 && Files.exists(rootOnB); i++) {
        Thread.sleep(100);
      }
      assertFalse(Files.exists(rootOnB), "b removed the partial copy");
      assertFalse(b.virsh("list", "--all", "--name").ok().out().contains(name), "no domain on b");
    } finally {
      hosts.removeEverywhere(name);
      for (SimulatedHost h : List.of(a, b)) {
        TestController.deleteTree(h.hostPath(storage));
      }
    }
  }
}
