package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code virt-lxc migrate --postcopy} between two simulated hosts ({@link TwoHosts}), each running {@code virt-lxc
 * migration-service}: a domain whose init runs a shell counter and a process holding 64 MiB of pseudo-random
 * anonymous memory ({@code matrix-workload memory}, compiled into its root) resumes on the destination before its
 * memory is there (CRIU lazy pages over userfaultfd, the pages relayed through the migration's TLS), and keeps both
 * its count and its memory: the same process hashes the same contents there. A destination whose restore fails (so
 * before the domain resumed there) leaves the domain running on the source, its memory intact, and nothing there.
 */
class PostcopyMigrationIT {
  private static final String PREFIX = "vlxct-postcopy-";
  private static final Path WORKLOAD_SOURCE = Path.of("src/test/resources/org/virtlxc/tests/matrix-workload.c");
  private static final int MEMORY_MIB = 64;
  private static final String SCRIPT = "/bin/matrix-workload memory " + MEMORY_MIB + " /tmp & " + Counter.LOOP;

  @RegisterExtension
  static final MigrationHosts.PerClass hosts = new MigrationHosts.PerClass(PREFIX);

  @Test
  void aDomainResumesOnTheDestinationBeforeItsMemoryAndKeepsItsMemoryAndCount() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + "mem-" + UUID.randomUUID().toString().substring(0, 6);
    String uuid = UUID.randomUUID().toString();
    Path root = workloadRoot(name);
    try {
      a.defineBusybox(name, uuid, root, "/bin/sh", SCRIPT, "", hosts.controller());
      a.virsh("start", name).ok();
      String filled = awaitFilled(root);
      Counter.awaitAbove(root, 2, Duration.ofSeconds(30));

      SimulatedHost.Result r = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--postcopy",
          "--persistent", "--undefinesource", "--verbose", "--pki", hosts.pki().toString()).ok();
      int atMigration = Counter.current(root);
      System.out.println("post-copy a -> b: " + r.err().strip() + " (counter " + atMigration + ")");
      assertTrue(r.err().contains("Migration: [100 %]"), r.err());
      assertEquals("running", b.virsh("domstate", name).ok().out().strip());
      assertFalse(a.virsh("list", "--all", "--name").ok().out().contains(name), "undefined on a (--undefinesource)");
      int onB = Counter.awaitAbove(root, atMigration, Duration.ofSeconds(30));
      assertTrue(onB <= atMigration + 5, "counts on from " + atMigration + " on b, not from 1: " + onB);
      assertEquals(filled, hashAgain(root, "on-b"), "the same process holds the same memory on b");

      String source = a.virtLxc("domjobinfo", name, "--completed").ok().out();
      assertTrue(source.matches("(?s).*Job type:\\s+Completed.*Operation:\\s+Outgoing migration.*"), source);
      String destination = b.virtLxc("domjobinfo", name, "--completed").ok().out();
      assertTrue(destination.matches("(?s).*Job type:\\s+Completed.*Operation:\\s+Incoming migration.*"),
          destination);
      System.out.println("source job:\n" + source + "destination job:\n" + destination);
      assertNoLazyLeftovers(a, name);
      assertNoLazyLeftovers(b, name);
    } finally {
      hosts.removeEverywhere(name);
    }
  }

  @Test
  void aRestoreThatFailsOnTheDestinationLeavesTheDomainRunningOnTheSourceWithItsMemory() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    try (OnA d = onAWithControllerOnB("fail", "echo 'vlxct-postcopy: this controller refuses' >&2; exit 1")) {
      String name = d.name();
      String uuid = d.uuid();
      Path root = d.root();
      String filled = d.filled();
      SimulatedHost.Result r = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--postcopy",
          "--persistent", "--undefinesource", "--pki", hosts.pki().toString());
      System.out.println("post-copy, failed restore: " + r.err().strip());
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().contains("(it keeps running)") && r.err().contains("the destination failed"), r.err());
      assertRunsOnAWithItsMemory(d, "after-failure");
      assertTrue(a.virsh("list", "--all", "--name").ok().out().contains(name), "still defined on a");
      assertNothingOnB(name, uuid);
    }
  }

  @Test
  void domjobabortBeforeTheCommitLeavesTheDomainRunningOnTheSourceWithItsMemory() throws Exception {
    SimulatedHost a = hosts.a();
    try (OnA d = onAWithControllerOnB("abort", "sleep 8; exit 1")) { // a slow restore on b
      Path log = hosts.shared().resolve(d.name() + "-migrate.log");
      Process migrate = migrateInBackground(d.name(), log);
      String job = awaitSourcePhase(d.name(), "restoring on the destination");
      assertTrue(job.contains("restoring on the destination"), job);
      a.virtLxc("domjobabort", d.name()).ok();
      assertTrue(migrate.waitFor(60, TimeUnit.SECONDS));
      System.out.println("post-copy, domjobabort: " + Files.readString(log).strip());
      assertEquals(1, migrate.exitValue(), Files.readString(log));
      assertTrue(Files.readString(log).contains("(it keeps running): operation aborted"), Files.readString(log));
      assertRunsOnAWithItsMemory(d, "after-abort");
      assertNothingOnB(d.name(), d.uuid());
    }
  }

  @Test
  void aMigrateCommandKilledBeforeTheCommitLeavesTheDomainRunningOnTheSourceWithItsMemory() throws Exception {
    try (OnA d = onAWithControllerOnB("term", "sleep 8; exit 1")) {
      Path log = hosts.shared().resolve(d.name() + "-migrate.log");
      Process migrate = migrateInBackground(d.name(), log);
      String job = awaitSourcePhase(d.name(), "restoring on the destination");
      assertTrue(job.contains("restoring on the destination"), job);
      migrate.destroy(); // SIGTERM, as a Ctrl-C or a service manager would
      assertTrue(migrate.waitFor(60, TimeUnit.SECONDS));
      System.out.println("post-copy, SIGTERM: " + Files.readString(log).strip());
      assertTrue(Files.readString(log).contains("interrupted before the commit: its processes run on here"),
          Files.readString(log));
      assertRunsOnAWithItsMemory(d, "after-term");
      assertNothingOnB(d.name(), d.uuid());
    }
  }

  /**
   * Past the commit nothing can be undone: a source killed (SIGKILL) while the memory is transferred breaks the page
   * connection, the destination destroys its copy (its memory would never arrive) and says why, and the source's
   * processes stay stopped.
   */
  @Test
  void aPageTransferBrokenAfterTheResumeDestroysTheDestinationsCopyAndLeavesTheSourceStopped() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + "broken-" + UUID.randomUUID().toString().substring(0, 6);
    String uuid = UUID.randomUUID().toString();
    Path root = workloadRoot(name);
    try {
      a.defineBusybox(name, uuid, root, "/bin/sh", SCRIPT, "", hosts.controller());
      a.virsh("start", name).ok();
      awaitFilled(root);
      Counter.awaitAbove(root, 1, Duration.ofSeconds(30));
      long controller = Long.parseLong(Files.readString(a.hostPath("/run/libvirt/lxc/" + name + ".pid")).strip());
      long init = ProcessHandle.of(controller).orElseThrow().children().findFirst().orElseThrow().pid();
      Path log = hosts.shared().resolve(name + "-migrate.log");
      Process migrate = migrateInBackground(name, log);
      String job = awaitSourcePhase(name, "post-copy");
      assertTrue(job.contains("sending memory"), job);
      migrate.destroyForcibly(); // SIGKILL: no shutdown hook, the page relay just dies
      assertTrue(migrate.waitFor(30, TimeUnit.SECONDS));
      Path serviceLog = hosts.shared().resolve("service-" + b.name() + ".log");
      for (int i = 0; i < 300 && !Files.readString(serviceLog).contains("post-copy failed after domain " + name); i++) {
        Thread.sleep(100);
      }
      String said = Files.readString(serviceLog);
      assertTrue(said.contains("post-copy failed after domain " + name + " resumed here, so it cannot be undone"),
          said);
      System.out.println("post-copy broken after the resume, destination: " + said.lines()
          .filter(l -> l.contains("post-copy failed after domain " + name)).findFirst().orElse(""));
      assertNothingOnB(name, uuid);
      String state = Files.readString(Path.of("/proc/" + init + "/status")).lines()
          .filter(l -> l.startsWith("State:")).findFirst().orElse("");
      assertTrue(state.contains("T (stopped)"), "the source's init " + init + " stays stopped: " + state);
      int now = Counter.current(root);
      Thread.sleep(2500);
      assertEquals(now, Counter.current(root), "nothing counts: the source's processes are stopped");
    } finally {
      hosts.removeEverywhere(name);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /**
   * A workload domain running on a under virt-lxc's controller, whose emulator on b is the shell {@code bScript} (a
   * restore there that fails or hangs); {@code filled} is its memory's "pid=P hash=H". Closing removes the domain
   * and both emulators.
   */
  private record OnA(String name, String uuid, Path root, String emulator, String filled) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      hosts.removeEverywhere(name);
      Files.deleteIfExists(hosts.a().hostPath(emulator));
      Files.deleteIfExists(hosts.b().hostPath(emulator));
    }
  }

  private static OnA onAWithControllerOnB(String tag, String bScript) throws Exception {
    String name = PREFIX + tag + "-" + UUID.randomUUID().toString().substring(0, 6);
    String emulator = "/var/lib/virt-lxc/" + name + "-controller";
    OnA d = new OnA(name, UUID.randomUUID().toString(), workloadRoot(name), emulator, null);
    try {
      Files.copy(hosts.controller(), hosts.a().hostPath(emulator), StandardCopyOption.COPY_ATTRIBUTES);
      Files.writeString(hosts.b().hostPath(emulator), "#!/bin/sh\n" + bScript + "\n");
      Files.setPosixFilePermissions(hosts.b().hostPath(emulator), PosixFilePermissions.fromString("rwxr-xr-x"));
      hosts.a().defineBusybox(name, d.uuid(), d.root(), "/bin/sh", SCRIPT, "", Path.of(emulator));
      hosts.a().virsh("start", name).ok();
      String filled = awaitFilled(d.root());
      Counter.awaitAbove(d.root(), 1, Duration.ofSeconds(30));
      return new OnA(name, d.uuid(), d.root(), emulator, filled);
    } catch (Exception | AssertionError e) {
      d.close();
      throw e;
    }
  }

  /** The domain runs on a, counts on, and its workload (the same process) hashes the same memory. */
  private static void assertRunsOnAWithItsMemory(OnA d, String token) throws Exception {
    assertEquals("running", hosts.a().virsh("domstate", d.name()).ok().out().strip(), "the source runs on");
    int now = Counter.current(d.root());
    assertTrue(Counter.awaitAbove(d.root(), now + 1, Duration.ofSeconds(30)) > now, "and counts on");
    assertEquals(d.filled(), hashAgain(d.root(), token), "the same process holds the same memory on a");
    assertNoLazyLeftovers(hosts.a(), d.name());
    assertNoLazyLeftovers(hosts.b(), d.name());
  }

  /** No domain, pending restore or lazy-pages leftovers of {@code name} on b (waits up to 30 s for its cleanup). */
  private static void assertNothingOnB(String name, String uuid) throws Exception {
    SimulatedHost b = hosts.b();
    Path restore = b.hostPath("/var/lib/virt-lxc/restore/" + uuid);
    for (int i = 0; i < 300 && (Files.exists(restore)
        || b.virsh("list", "--all", "--name").ok().out().contains(name)); i++) {
      Thread.sleep(100);
    }
    assertFalse(b.virsh("list", "--all", "--name").ok().out().contains(name), "no domain " + name + " on b");
    assertFalse(Files.exists(restore), "nothing left in " + restore);
    assertNoLazyLeftovers(b, name);
  }

  /** {@code virt-lxc migrate NAME --postcopy --persistent} from a to b in the background, its output in {@code log}. */
  private static Process migrateInBackground(String name, Path log) throws IOException {
    return hosts.a().command(hosts.virtLxc().toString(), "migrate", name, "lxc+tcp://" + hosts.b().address()
        + "/system", "--postcopy", "--persistent", "--pki", hosts.pki().toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
  }

  /** The source's running job (its state file) once its phase mentions {@code phase}, or the last seen after 30 s. */
  private static String awaitSourcePhase(String name, String phase) throws Exception {
    Path file = hosts.a().hostPath("/run/virt-lxc/jobs/" + name + ".job");
    String job = "";
    for (int i = 0; i < 1500 && !job.contains(phase); i++) {
      job = Files.exists(file) ? Files.readString(file) : "";
      Thread.sleep(20);
    }
    return job;
  }

  /** A busybox root on shared storage with {@code /bin/matrix-workload} compiled into it. */
  private static Path workloadRoot(String name) throws Exception {
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    Path source = TestController.BUILD_ROOT.resolve("tests").resolve(WORKLOAD_SOURCE);
    Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", root.resolve("bin/matrix-workload").toString(),
        source.toString()).redirectErrorStream(true).start();
    String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, gcc.waitFor(), "gcc -static " + source + ":\n" + out);
    return root;
  }

  /** "pid=P hash=H" of the workload once it has filled its memory. */
  private static String awaitFilled(Path root) throws Exception {
    Path status = root.resolve("tmp/memory");
    for (int i = 0; i < 600 && !Files.exists(status); i++) {
      Thread.sleep(100);
    }
    String filled = Files.readString(status).strip();
    assertTrue(filled.matches("token=filled pid=\\d+ hash=[0-9a-f]{16}"), filled);
    return filled.substring(filled.indexOf(' ') + 1);
  }

  /** Has the workload hash its memory again; its "pid=P hash=H". */
  private static String hashAgain(Path root, String token) throws Exception {
    Path status = root.resolve("tmp/memory");
    Files.writeString(root.resolve("tmp/memory.req"), token + "\n");
    for (int i = 0; i < 600 && !Files.readString(status).startsWith("token=" + token + " "); i++) {
      Thread.sleep(100);
    }
    String now = Files.readString(status).strip();
    assertTrue(now.startsWith("token=" + token + " "), "the workload hashed its memory again: " + now);
    return now.substring(now.indexOf(' ') + 1);
  }

  /**
   * Neither CRIU's lazy dump nor the lazy-pages daemon left a work directory or a process behind (waits up to 30 s for
   * a host still cleaning up).
   */
  private static void assertNoLazyLeftovers(SimulatedHost h, String name) throws Exception {
    Path migrate = h.hostPath("/var/lib/virt-lxc/migrate");
    List<Path> left = List.of();
    List<String> criu = List.of();
    for (int i = 0; i < 300; i++) {
      if (Files.isDirectory(migrate)) {
        try (var s = Files.list(migrate)) {
          left = s.filter(p -> p.getFileName().toString().startsWith("." + name + ".lazy-")).toList();
        }
      }
      criu = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
          .filter(c -> c.contains("criu") && c.contains("." + name + ".lazy-")).toList();
      if (left.isEmpty() && criu.isEmpty()) {
        return;
      }
      Thread.sleep(100);
    }
    assertTrue(left.isEmpty(), "left in " + migrate + ": " + left);
    assertTrue(criu.isEmpty(), "CRIU still running for " + name + ": " + criu);
  }


}
