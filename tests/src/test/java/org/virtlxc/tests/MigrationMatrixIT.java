package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The save/restore workload matrix ({@link WorkloadMatrixIT}) migrated: {@code virt-lxc migrate} a → b, checks, b → a,
 * checks, between two simulated hosts ({@link TwoHosts}) with this build's controller, the real CRIU and each host's
 * own libvirtd. One domain runs every process workload at once (a shell counter, pipes and a unix socketpair that keep
 * talking, a file held open and written to, 256 MiB of anonymous memory, console output); a second one serves TCP to a
 * client outside both hosts, whose one connection carries on across both moves ({@link OutsideClient}).
 */
class MigrationMatrixIT {
  private static final String PREFIX = "vlxct-migmatrix-";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern STDOUT_LINE = Pattern.compile("stdout (\\d+)\\r?\\n");
  private static final Pattern OPENED_LINE = Pattern.compile("opened (\\d+)\\r?\\n");

  @RegisterExtension
  static final MigrationHosts.PerClass hosts = new MigrationHosts.PerClass(PREFIX);

  /**
   * Init runs the shell counter, each tick also appending a line to a file it holds open as fd 3 (not O_APPEND) and
   * writing the count to its inherited stdout and to a fresh open of /dev/console; beside it {@code matrix-workload
   * pipes} (a producer | consumer pipe and a socketpair ping-pong, checking every sequence number) and {@code
   * matrix-workload memory 256}. After each move: the same processes (pids, command lines, cwds, environments), init
   * pid 1, the counter going on from its value, the pipes without gap or error, the held file without hole or overwrite and
   * its offset kept, the memory's hash that of the first fill in the same process, new console lines on the
   * destination's {@code virsh console}.
   */
  @Test
  void everyProcessWorkloadMigratesThereAndBackAgain() throws Exception {
    String name = PREFIX + "procs-" + UUID.randomUUID().toString().substring(0, 6);
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    MatrixWorkload.install(root);
    String script = MatrixWorkload.BINARY + " pipes /tmp & " + MatrixWorkload.BINARY + " memory 256 /tmp & "
        + MatrixWorkload.HELD_OPEN + "; " + Counter.loop(MatrixWorkload.HELD_WRITE
        + "; echo \"stdout $i\"; echo \"opened $i\" > /dev/console");
    Path memory = root.resolve("tmp/memory");
    try {
      hosts.a().defineBusybox(name, UUID.randomUUID().toString(), root, "/bin/sh", script, "", hosts.controller(), 512);
      hosts.a().virsh("start", name).ok();
      Await.until(() -> Files.exists(memory), "256 MiB filled and hashed", Duration.ofSeconds(60));
      String filled = Files.readString(memory).strip();
      assertTrue(filled.matches("token=filled pid=\\d+ hash=[0-9a-f]{16}"), filled);
      String pidAndHash = filled.substring(filled.indexOf(' ') + 1);
      Await.until(() -> MatrixWorkload.field(root.resolve("tmp/pipes"), "pipe") >= 10, "pipe messages flow", WAIT);
      Counter.awaitAbove(root, 2, WAIT);

      moveAndCheck(name, root, hosts.a(), hosts.b(), 1, pidAndHash);
      moveAndCheck(name, root, hosts.b(), hosts.a(), 2, pidAndHash);
    } finally {
      hosts.removeEverywhere(name);
    }
  }

  /**
   * An echo server in a domain on bridge {@link OutsideClient#HOST_BRIDGE} of each host, which both hosts join to one
   * switch in a network namespace of the test, keeps the one TCP connection a client on that switch holds open to it:
   * the client's line is echoed before, after a → b and after b → a, on the same connection (the client's nc runs on,
   * the same address and port pair is established). CRIU dumps the socket ({@code --tcp-established}) and its lock
   * drops the client's packets until the source's copy is gone; the client retransmits to the restored socket. Also
   * with {@code --postcopy}: the domain resumes on the destination, socket included, before its memory is there.
   */
  @ParameterizedTest(name = "postcopy={0}")
  @ValueSource(booleans = {false, true})
  void aTcpConnectionFromOutsideCarriesOnThereAndBack(boolean postcopy) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 6);
    List<String> mode = postcopy ? List.of("--postcopy") : List.of();
    String name = PREFIX + "tcp-" + id;
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    try (OutsideClient net = OutsideClient.create(hosts.twoHosts())) {
      hosts.a().defineBusybox(name, UUID.randomUUID().toString(), root, "/bin/sh",
          "nc -ll -p " + OutsideClient.ECHO_PORT + " -e /bin/cat & " + Counter.LOOP,
          "<interface type='bridge'><source bridge='" + OutsideClient.HOST_BRIDGE + "'/><ip address='"
              + net.guestIp() + "' prefix='24'/><target dev='vlxct-mt" + id + "'/></interface>", hosts.controller());
      try {
        hosts.a().virsh("start", name).ok();
        net.connect();
        net.exchange("before-" + id);
        String connection = net.established();
        hosts.a().virtLxc(migrate(name, hosts.b(), mode)).ok();
        assertEquals("running", hosts.b().virsh("domstate", name).ok().out().strip());
        net.exchange("there-" + id);
        assertEquals(connection, net.established(), "the same connection");
        hosts.b().virtLxc(migrate(name, hosts.a(), mode)).ok();
        assertEquals("running", hosts.a().virsh("domstate", name).ok().out().strip());
        net.exchange("back-" + id);
        assertEquals(connection, net.established(), "the same connection");
        Counter.awaitAbove(root, Counter.current(root), WAIT);
      } finally {
        hosts.removeEverywhere(name);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** {@code migrate NAME lxc+tcp://TO/system --persistent --undefinesource --pki PKI} plus {@code extra}. */
  private static String[] migrate(String name, SimulatedHost to, List<String> extra) {
    List<String> args = new java.util.ArrayList<>(List.of("migrate", name, "lxc+tcp://" + to.address() + "/system",
        "--persistent", "--undefinesource", "--pki", hosts.pki().toString()));
    args.addAll(extra);
    return args.toArray(String[]::new);
  }

  /** Migrates {@code name} from {@code from} to {@code to} and checks every workload of the process test there. */
  private static void moveAndCheck(String name, Path root, SimulatedHost from, SimulatedHost to, int move,
      String pidAndHash) throws Exception {
    Path pipes = root.resolve("tmp/pipes");
    Path held = root.resolve("tmp/held.log");
    Path memory = root.resolve("tmp/memory");
    Map<Integer, ContainerProcesses.Proc> before = ContainerProcesses.of(initOn(from, name));
    long pipeBefore = MatrixWorkload.field(pipes, "pipe");
    long heldBefore = Files.size(held);

    SimulatedHost.Result r = from.virtLxc("migrate", name, "lxc+tcp://" + to.address() + "/system", "--persistent",
        "--undefinesource", "--pki", hosts.pki().toString()).ok();
    int atMigration = Counter.current(root);
    System.out.println("move " + move + " " + from.name() + " -> " + to.name() + ": " + r.err().strip()
        + " (counter " + atMigration + ", pipe " + pipeBefore + ", held file " + heldBefore + " bytes)");
    assertEquals("running", to.virsh("domstate", name).ok().out().strip());
    assertFalse(from.virsh("list", "--all", "--name").ok().out().contains(name), "gone from " + from.name());

    long init = initOn(to, name);
    assertEquals(1, ContainerProcesses.nsPid(init), "init is pid 1");
    assertEquals(before, ContainerProcesses.of(init), "the same processes, pids, command lines, cwds, environments");

    int counted = Counter.awaitAbove(root, atMigration, WAIT);
    assertTrue(counted <= atMigration + 5, "the counter goes on from " + atMigration + ", not from 1: " + counted);

    Await.until(() -> MatrixWorkload.field(pipes, "pipe") >= pipeBefore + 20, "pipe messages flow on", WAIT);
    String now = Files.readString(pipes).strip();
    assertEquals(0, MatrixWorkload.field(pipes, "errors"), "no gap, reset or wrong answer: " + now);
    assertTrue(now.matches("pipe=(\\d+) ping=\\1 errors=0"), "one ping-pong per pipe message: " + now);

    Await.until(() -> Files.size(held) >= heldBefore + 3 * MatrixWorkload.HELD_LINE, "the held file grows", WAIT);
    long offset = ContainerProcesses.fdPosition(init, 3);
    MatrixWorkload.assertHeldFile(held);
    assertTrue(offset > heldBefore && offset <= Files.size(held), "fd 3 at " + offset + " (dumped at >= "
        + heldBefore + ")");

    String token = "move-" + move;
    Files.writeString(root.resolve("tmp/memory.req"), token + "\n");
    Await.until(() -> Files.readString(memory).startsWith("token=" + token + " "), "memory hashed again",
        Duration.ofSeconds(60));
    assertEquals("token=" + token + " " + pidAndHash, Files.readString(memory).strip(), "same pid, same memory");

    try (VirshConsole.Watch console = VirshConsole.watch(to.uri(), name)) {
      int stdout = console.awaitNumber(STDOUT_LINE, n -> n > atMigration, 15_000);
      int opened = console.awaitNumber(OPENED_LINE, n -> n > atMigration, 15_000);
      System.out.println("move " + move + ": counter " + counted + ", " + now + ", held file " + Files.size(held)
          + " bytes (fd 3 at " + offset + "), memory " + pidAndHash + ", console of " + to.name() + ": stdout "
          + stdout + ", opened " + opened);
    }
  }

  /** The host pid of the domain's init on {@code h}: the only child of its controller there. */
  private static long initOn(SimulatedHost h, String name) throws Exception {
    Path pidfile = h.hostPath("/run/libvirt/lxc/" + name + ".pid");
    return TestController.onlyChild(Long.parseLong(Files.readString(pidfile).strip()));
  }


}
