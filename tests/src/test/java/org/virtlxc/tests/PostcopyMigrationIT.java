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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
  private static TwoHosts hosts;
  private static Path pki;
  private static final List<Process> services = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    TestHost.require(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")), "cgroup v1 hierarchies");
    hosts = TwoHosts.start(PREFIX);
    pki = MigrationPki.create(hosts.shared().resolve("pki"), List.of(hosts.a().address(), hosts.b().address()));
    for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
      services.add(startService(h));
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    for (Process p : services) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (hosts != null) {
      hosts.close();
    }
  }

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
          "--persistent", "--undefinesource", "--verbose", "--pki", pki.toString()).ok();
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
      removeEverywhere(name);
    }
  }

  @Test
  void aRestoreThatFailsOnTheDestinationLeavesTheDomainRunningOnTheSourceWithItsMemory() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + "fail-" + UUID.randomUUID().toString().substring(0, 6);
    String uuid = UUID.randomUUID().toString();
    Path root = workloadRoot(name);
    String emulator = "/var/lib/virt-lxc/" + name + "-controller";
    try {
      Files.copy(hosts.controller(), a.hostPath(emulator), StandardCopyOption.COPY_ATTRIBUTES);
      Files.writeString(b.hostPath(emulator), "#!/bin/sh\necho 'vlxct-postcopy: this controller refuses' >&2\nexit 1\n");
      Files.setPosixFilePermissions(b.hostPath(emulator), PosixFilePermissions.fromString("rwxr-xr-x"));
      a.defineBusybox(name, uuid, root, "/bin/sh", SCRIPT, "", Path.of(emulator));
      a.virsh("start", name).ok();
      String filled = awaitFilled(root);
      Counter.awaitAbove(root, 1, Duration.ofSeconds(30));

      SimulatedHost.Result r = a.virtLxc("migrate", name, "lxc+tcp://" + b.address() + "/system", "--postcopy",
          "--persistent", "--undefinesource", "--pki", pki.toString());
      System.out.println("post-copy, failed restore: " + r.err().strip());
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().contains("(it keeps running)") && r.err().contains("the destination failed"), r.err());

      assertEquals("running", a.virsh("domstate", name).ok().out().strip(), "the source runs on");
      int now = Counter.current(root);
      assertTrue(Counter.awaitAbove(root, now + 1, Duration.ofSeconds(30)) > now, "and counts on");
      assertEquals(filled, hashAgain(root, "after-failure"), "the same process holds the same memory on a");
      assertTrue(a.virsh("list", "--all", "--name").ok().out().contains(name), "still defined on a");
      assertFalse(b.virsh("list", "--all", "--name").ok().out().contains(name), "no domain on b");
      assertFalse(Files.exists(b.hostPath("/var/lib/virt-lxc/restore/" + uuid)), "no pending restore left on b");
      assertNoLazyLeftovers(a, name);
      assertNoLazyLeftovers(b, name);
    } finally {
      removeEverywhere(name);
      Files.deleteIfExists(a.hostPath(emulator));
      Files.deleteIfExists(b.hostPath(emulator));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

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

  /** Neither CRIU's lazy dump nor the lazy-pages daemon left a work directory or a process behind. */
  private static void assertNoLazyLeftovers(SimulatedHost h, String name) throws IOException {
    Path migrate = h.hostPath("/var/lib/virt-lxc/migrate");
    if (Files.isDirectory(migrate)) {
      try (var s = Files.list(migrate)) {
        List<Path> left = s.filter(p -> p.getFileName().toString().startsWith("." + name + ".lazy-")).toList();
        assertTrue(left.isEmpty(), "left in " + migrate + ": " + left);
      }
    }
    List<String> criu = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains("criu") && c.contains("." + name + ".lazy-")).toList();
    assertTrue(criu.isEmpty(), "CRIU still running for " + name + ": " + criu);
  }

  private static Process startService(SimulatedHost h) throws Exception {
    Path log = hosts.shared().resolve("service-" + h.name() + ".log");
    Process p = h.command(hosts.virtLxc().toString(), "migration-service", "--listen", h.address(), "--pki",
        pki.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    for (int i = 0; i < 300; i++) {
      if (Files.exists(log) && Files.readString(log).contains("Migration service listening on")) {
        return p;
      }
      if (!p.isAlive()) {
        throw new AssertionError("the migration service on " + h.name() + " ended: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new AssertionError("the migration service on " + h.name() + " did not start: " + Files.readString(log));
  }

  private static void removeEverywhere(String name) {
    for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
      h.virsh("destroy", name);
      h.virsh("undefine", name);
    }
  }
}
