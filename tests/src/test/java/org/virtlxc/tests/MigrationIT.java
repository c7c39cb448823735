package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code virt-lxc migrate} between two simulated hosts ({@link TwoHosts}), each running {@code virt-lxc
 * migration-service} under its own libvirtd, over mutually authenticated TLS with a throwaway CA: a counter workload
 * goes a → b and back, counting on; a TCP server keeps serving on the destination; and every failure (the destination
 * refuses, the connection is cut in the middle of the image, the destination's restore fails, the source's certificate
 * is not trusted) leaves the domain running on the source, counting on, and nothing on the destination.
 */
class MigrationIT {
  private static final String PREFIX = "vlxct-migrate-";
  private static final String COUNTER_LOOP = Counter.LOOP;
  /** Some memory first, so that the image is large enough to be cut in the middle. */
  private static final String BIG_COUNTER_LOOP = "v=$(dd if=/dev/urandom bs=1024 count=2048 2>/dev/null | base64); "
      + COUNTER_LOOP;
  private static final int ECHO_PORT = 7007;

  @RegisterExtension
  static final MigrationHosts.PerClass hosts = new MigrationHosts.PerClass(PREFIX);

  @Test
  void aCounterMigratesThereAndBackAndCountsOn() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + "there-" + UUID.randomUUID().toString().substring(0, 6);
    String uuid = UUID.randomUUID().toString();
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    try {
      define(a, name, uuid, root, COUNTER_LOOP, "", hosts.controller());
      a.virsh("start", name).ok();
      Counter.awaitAbove(root, 2, Duration.ofSeconds(30));

      SimulatedHost.Result there = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--persistent",
          "--undefinesource", "--verbose", "--pki", hosts.pki().toString()).ok();
      int atMigration = Counter.current(root);
      System.out.println("a -> b: " + there.err().strip() + " (counter " + atMigration + ")");
      assertTrue(there.err().contains("Migration: [100 %]"), there.err());
      assertEquals("running", b.virsh("domstate", name).ok().out().strip());
      assertEquals(uuid, b.virsh("domuuid", name).ok().out().strip());
      assertTrue(b.virsh("dominfo", name).ok().out().matches("(?s).*Persistent:\\s+yes.*"), "defined on b");
      assertFalse(a.virsh("list", "--all", "--name").ok().out().contains(name), "undefined on a (--undefinesource)");
      int onB = Counter.awaitAbove(root, atMigration, Duration.ofSeconds(30));
      assertTrue(onB <= atMigration + 5, "counts on from " + atMigration + " on b, not from 1: " + onB);
      assertTrue(a.virtLxc("domjobinfo", name, "--completed").ok().out()
          .matches("(?s).*Job type:\\s+Completed.*Operation:\\s+Outgoing migration.*"), "job recorded on a");
      assertTrue(b.virtLxc("domjobinfo", name, "--completed").ok().out()
          .matches("(?s).*Job type:\\s+Completed.*Operation:\\s+Incoming migration.*"), "job recorded on b");

      SimulatedHost.Result back = b.virtLxc("migrate", name, "lxc://" + a.address() + "/", "--compress", "--pki",
          hosts.pki().toString()).ok();
      int atReturn = Counter.current(root);
      System.out.println("b -> a: " + back.err().strip() + " (counter " + atReturn + ")");
      assertEquals("running", a.virsh("domstate", name).ok().out().strip());
      assertTrue(a.virsh("dominfo", name).ok().out().matches("(?s).*Persistent:\\s+no.*"), "transient on a");
      assertEquals("shut off", b.virsh("domstate", name).ok().out().strip(), "b keeps its definition");
      int onA = Counter.awaitAbove(root, atReturn, Duration.ofSeconds(30));
      assertTrue(onA <= atReturn + 5 && atReturn >= onB, "counts on from " + atReturn + " back on a: " + onA);
    } finally {
      hosts.removeEverywhere(name);
    }
  }

  @Test
  void aTcpServerKeepsServingOnTheDestination() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String id = UUID.randomUUID().toString().substring(0, 6);
    String name = PREFIX + "tcp-" + id;
    int n = HostNetwork.freeSubnet("10.249", "10.249", "fd49:ee");
    String hostIp = "10.249." + n + ".1";
    String guestIp = "10.249." + n + ".2";
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    try {
      define(a, name, UUID.randomUUID().toString(), root,
          "nc -ll -p " + ECHO_PORT + " -e /bin/cat & " + COUNTER_LOOP,
          "<interface type='ethernet'><source><ip address='" + hostIp + "' prefix='24'/></source>"
              + "<ip address='" + guestIp + "' prefix='24'/><target dev='vlxct-mg" + id + "'/></interface>",
          hosts.controller());
      a.virsh("start", name).ok();
      assertTrue(echo(a, guestIp, "before " + id).contains("before " + id), "serves on a");
      a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--pki", hosts.pki().toString()).ok();
      assertEquals("running", b.virsh("domstate", name).ok().out().strip());
      String after = echo(b, guestIp, "after " + id);
      assertTrue(after.contains("after " + id), "the listening socket serves on b: " + after);
      Counter.awaitAbove(root, Counter.current(root), Duration.ofSeconds(30));
    } finally {
      hosts.removeEverywhere(name);
    }
  }

  @Test
  void theDestinationRefusesADomainThatRunsThereAndTheSourceRunsOn() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + "dup-" + UUID.randomUUID().toString().substring(0, 6);
    String uuid = UUID.randomUUID().toString();
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    Path rootB = TestController.busyboxRoot(hosts.shared().resolve(name + "-b"));
    try {
      define(a, name, uuid, root, COUNTER_LOOP, "", hosts.controller());
      define(b, name, uuid, rootB, COUNTER_LOOP, "", hosts.controller());
      a.virsh("start", name).ok();
      b.virsh("start", name).ok();
      Counter.awaitAbove(root, 1, Duration.ofSeconds(30));
      SimulatedHost.Result r = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--pki",
          hosts.pki().toString());
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().contains("Failed to migrate domain '" + name + "'")
          && r.err().contains("domain " + name + " is already running on this host"), r.err());
      assertSourceRunsOn(name, root);
    } finally {
      hosts.removeEverywhere(name);
    }
  }

  @Test
  void aConnectionCutInTheMiddleOfTheImageLeavesTheSourceRunningAndNothingThere() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + "cut-" + UUID.randomUUID().toString().substring(0, 6);
    String uuid = UUID.randomUUID().toString();
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    try {
      define(a, name, uuid, root, BIG_COUNTER_LOOP, "", hosts.controller());
      a.virsh("start", name).ok();
      Counter.awaitAbove(root, 1, Duration.ofSeconds(30));
      int proxyPort = 17001;
      Process proxy = startProxy(a, proxyPort, b.address(), 16520, 400_000);
      try {
        SimulatedHost.Result r = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--migrateuri",
            "tcp://127.0.0.1:" + proxyPort, "--persistent", "--pki", hosts.pki().toString());
        assertEquals(1, r.status(), r.err());
        System.out.println("cut: " + r.err().strip());
        assertTrue(r.err().contains("keeps running") && r.err().contains("broke while the image was sent"), r.err());
      } finally {
        proxy.destroy();
        proxy.waitFor();
      }
      assertSourceRunsOn(name, root);
      assertNothingOn(b, name, uuid);

      // the service on b still serves: the same migration without the cut succeeds
      a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--pki", hosts.pki().toString()).ok();
      assertEquals("running", b.virsh("domstate", name).ok().out().strip());
      Counter.awaitAbove(root, Counter.current(root), Duration.ofSeconds(30));
    } finally {
      hosts.removeEverywhere(name);
    }
  }

  @Test
  void aFailedRestoreOnTheDestinationLeavesTheSourceRunningAndNothingThere() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    try (CountingOnA d = countingOnAWithControllerOnB("fail",
        "echo 'vlxct-migrate: this controller refuses' >&2; exit 1")) {
      String name = d.name();
      String uuid = d.uuid();
      Path root = d.root();
      SimulatedHost.Result r = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--persistent",
          "--undefinesource", "--pki", hosts.pki().toString());
      assertEquals(1, r.status(), r.err());
      System.out.println("failed restore: " + r.err().strip());
      assertTrue(r.err().contains("the destination failed"), r.err());
      assertSourceRunsOn(name, root);
      assertTrue(a.virsh("list", "--all", "--name").ok().out().contains(name), "still defined on a");
      assertNothingOn(b, name, uuid);
    }
  }

  @Test
  void domjobabortWhileTheDestinationRestoresLeavesTheSourceRunningAndNothingThere() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    try (CountingOnA d = countingOnAWithControllerOnB("abort", "sleep 8; exit 1")) { // a slow restore there
      String name = d.name();
      String uuid = d.uuid();
      Path root = d.root();
      Path log = hosts.shared().resolve(name + "-migrate.log");
      Process migrate = migrateInBackground(a, b, name, log);
      String info = awaitSourceJobInfo(a, name, "restoring on the destination");
      assertTrue(info.matches("(?s).*Operation:\\s+Outgoing migration.*Phase:\\s+restoring on the destination.*"),
          info);
      a.virtLxc("domjobabort", name).ok();
      assertTrue(migrate.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(1, migrate.exitValue(), Files.readString(log));
      assertTrue(Files.readString(log).contains("(it keeps running): operation aborted"), Files.readString(log));
      assertTrue(a.virtLxc("domjobinfo", name, "--completed").ok().out().matches("(?s).*Job type:\\s+Cancelled.*"));
      assertSourceRunsOn(name, root);
      assertNothingOn(b, name, uuid);
    }
  }

  @Test
  void aMigrateCommandKilledBeforeTheCommitLeavesTheSourceRunningAndNothingThere() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    try (CountingOnA d = countingOnAWithControllerOnB("term", "sleep 8; exit 1")) { // a slow restore there
      String name = d.name();
      String uuid = d.uuid();
      Path root = d.root();
      Path log = hosts.shared().resolve(name + "-migrate.log");
      Process migrate = migrateInBackground(a, b, name, log);
      String info = awaitSourceJobInfo(a, name, "restoring on the destination");
      assertTrue(info.contains("restoring on the destination"), info);
      migrate.destroy(); // SIGTERM, as a Ctrl-C or a service manager would
      assertTrue(migrate.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(Files.readString(log).contains("interrupted before the commit: its processes run on here"),
          Files.readString(log));
      assertSourceRunsOn(name, root);
      assertNothingOn(b, name, uuid);
    }
  }

  @Test
  void aMigrationPastItsTimeoutIsAbortedAndTheSourceRunsOn() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    try (CountingOnA d = countingOnAWithControllerOnB("timeout", "sleep 8; exit 1")) {
      String name = d.name();
      String uuid = d.uuid();
      Path root = d.root();
      SimulatedHost.Result r = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--timeout", "3",
          "--pki", hosts.pki().toString());
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().contains("operation aborted"), r.err());
      assertSourceRunsOn(name, root);
      assertNothingOn(b, name, uuid);
    }
  }

  @Test
  void aSourceWhoseCertificateTheDestinationDoesNotTrustIsRefused() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + "auth-" + UUID.randomUUID().toString().substring(0, 6);
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    Path rogue = MigrationPki.create(hosts.shared().resolve("rogue-pki"), List.of());
    Path mixed = Files.createDirectories(hosts.shared().resolve("mixed-pki/libvirt/private"));
    Files.createDirectories(hosts.shared().resolve("mixed-pki/CA"));
    Files.copy(hosts.pki().resolve("CA/cacert.pem"), hosts.shared().resolve("mixed-pki/CA/cacert.pem"));
    Files.copy(rogue.resolve("libvirt/clientcert.pem"), hosts.shared().resolve("mixed-pki/libvirt/clientcert.pem"));
    Files.copy(rogue.resolve("libvirt/private/clientkey.pem"), mixed.resolve("clientkey.pem"));
    try {
      define(a, name, UUID.randomUUID().toString(), root, COUNTER_LOOP, "", hosts.controller());
      a.virsh("start", name).ok();
      Counter.awaitAbove(root, 1, Duration.ofSeconds(30));
      SimulatedHost.Result r = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--pki",
          hosts.shared().resolve("mixed-pki").toString());
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().contains("refused this host's certificate"), r.err()); // the alert, or the closed handshake
      SimulatedHost.Result r2 = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--pki",
          rogue.toString());
      assertEquals(1, r2.status(), r2.err());
      assertTrue(r2.err().contains("is not authenticated"), r2.err());
      assertSourceRunsOn(name, root);
      assertFalse(b.virsh("list", "--all", "--name").ok().out().contains(name));
    } finally {
      hosts.removeEverywhere(name);
    }
  }

  @Test
  void liveIsRefusedWithTheReason() throws Exception { // --postcopy: PostcopyMigrationIT
    SimulatedHost a = hosts.a();
    String name = PREFIX + "modes-" + UUID.randomUUID().toString().substring(0, 6);
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    try {
      define(a, name, UUID.randomUUID().toString(), root, COUNTER_LOOP, "", hosts.controller());
      a.virsh("start", name).ok();
      SimulatedHost.Result live = a.virtLxc("migrate", name, "lxc+tcp://" + hosts.b().address() + "/system", "--live",
          "--pki", hosts.pki().toString());
      assertEquals(1, live.status());
      assertTrue(live.err().contains("soft-dirty") || live.err().contains("pre-copy"), live.err());
      assertEquals("running", a.virsh("domstate", name).ok().out().strip());
    } finally {
      hosts.removeEverywhere(name);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /**
   * The same {@code <emulator>} path on both hosts, in a directory private to each: this build's controller on a, a
   * script running {@code bScript} on b (whose restores so fail).
   */
  /**
   * A counter domain started on a with virt-lxc's controller, whose emulator on b is the shell {@code bScript} (a
   * restore there that fails or hangs); closing it removes the domain and both emulators.
   */
  private record CountingOnA(String name, String uuid, Path root, String emulator) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      hosts.removeEverywhere(name);
      Files.deleteIfExists(hosts.a().hostPath(emulator));
      Files.deleteIfExists(hosts.b().hostPath(emulator));
    }
  }

  private static CountingOnA countingOnAWithControllerOnB(String tag, String bScript) throws Exception {
    String name = PREFIX + tag + "-" + UUID.randomUUID().toString().substring(0, 6);
    CountingOnA d = new CountingOnA(name, UUID.randomUUID().toString(),
        TestController.busyboxRoot(hosts.shared().resolve(name)), refusingEmulatorOnB(name, bScript));
    try {
      define(hosts.a(), d.name(), d.uuid(), d.root(), COUNTER_LOOP, "", Path.of(d.emulator()));
      hosts.a().virsh("start", d.name()).ok();
      Counter.awaitAbove(d.root(), 1, Duration.ofSeconds(30));
      return d;
    } catch (Exception | AssertionError e) {
      d.close();
      throw e;
    }
  }

  private static String refusingEmulatorOnB(String name, String bScript) throws IOException {
    String emulator = "/var/lib/virt-lxc/" + name + "-controller";
    Files.copy(hosts.controller(), hosts.a().hostPath(emulator), StandardCopyOption.COPY_ATTRIBUTES);
    Files.writeString(hosts.b().hostPath(emulator), "#!/bin/sh\n" + bScript + "\n");
    Files.setPosixFilePermissions(hosts.b().hostPath(emulator), PosixFilePermissions.fromString("rwxr-xr-x"));
    return emulator;
  }

  private static Process startProxy(SimulatedHost h, int port, String host, int targetPort, long cutAfter)
      throws Exception {
    Path log = hosts.shared().resolve("proxy-" + port + ".log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = h.command(java.toString(), "-cp", TestController.BUILD_ROOT.resolve("tests/target/test-classes")
        .toString(), CuttingProxy.class.getName(), Integer.toString(port), host, Integer.toString(targetPort),
        Long.toString(cutAfter)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    awaitLine(p, log, "listening", "the cutting proxy");
    return p;
  }

  private static void awaitLine(Process p, Path log, String line, String what) throws Exception {
    for (int i = 0; i < 300; i++) {
      if (Files.exists(log) && Files.readString(log).contains(line)) {
        return;
      }
      if (!p.isAlive()) {
        throw new AssertionError(what + " ended: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new AssertionError(what + " did not start in 30 s: " + Files.readString(log));
  }

  private static void assertSourceRunsOn(String name, Path root) throws Exception {
    assertEquals("running", hosts.a().virsh("domstate", name).ok().out().strip(), "the source runs on");
    int now = Counter.current(root);
    int later = Counter.awaitAbove(root, now + 1, Duration.ofSeconds(30));
    assertTrue(later > now, "and counts on: " + now + " -> " + later);
  }

  private static void assertNothingOn(SimulatedHost h, String name, String uuid) throws Exception {
    Path restore = h.hostPath("/var/lib/virt-lxc/restore/" + uuid);
    for (int i = 0; i < 300 && (Files.exists(restore)
        || h.virsh("list", "--all", "--name").ok().out().contains(name)); i++) {
      Thread.sleep(100);
    }
    assertFalse(h.virsh("list", "--all", "--name").ok().out().contains(name), "no domain " + name + " on " + h.name());
    assertFalse(Files.exists(restore), "nothing left in " + restore);
  }

  private static String echo(SimulatedHost h, String ip, String text) {
    String echoed = "";
    for (int i = 0; i < 10 && !echoed.contains(text); i++) {
      echoed = h.run("sh", "-c", "echo " + text + " | busybox nc -w 2 " + ip + " " + ECHO_PORT).out();
    }
    return echoed;
  }



  private static void define(SimulatedHost h, String name, String uuid, Path root, String script, String devices,
      Path controller) throws IOException {
    h.defineBusybox(name, uuid, root, "/bin/sh", script, devices, controller);
  }


  /** {@code virt-lxc migrate NAME} from a to b, running in the background, its output in {@code log}. */
  private Process migrateInBackground(SimulatedHost a, SimulatedHost b, String name, Path log) throws IOException {
    return a.command(hosts.virtLxc().toString(), "migrate", name, "lxc+tcp://" + b.address() + "/system", "--pki",
        hosts.pki().toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** The source's {@code domjobinfo} once it mentions {@code phase}, or the last one seen after about 15 s. */
  private static String awaitSourceJobInfo(SimulatedHost a, String name, String phase) throws InterruptedException {
    String info = "";
    for (int i = 0; i < 150 && !info.contains(phase); i++) {
      info = a.virtLxc("domjobinfo", name).out();
      Thread.sleep(100);
    }
    return info;
  }
}
