package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.Checkpointer;
import org.virtlxc.checkpoint.DumpOptions;
import org.virtlxc.checkpoint.DumpResult;
import org.virtlxc.checkpoint.PendingRestore;
import org.virtlxc.checkpoint.SaveOptions;
import org.virtlxc.checkpoint.SaveResult;
import org.virtlxc.checkpoint.SaveService;
import org.virtlxc.checkpoint.UnpackedImage;
import org.virtlxc.checkpoint.image.MembersInPlace;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.checkpoint.criu.Criu;

/**
 * What the checkpoint engine keeps of each kind of process state. Every workload runs in a busybox domain under
 * virt-lxc's controller (this build's jars) and the real libvirtd; it is dumped with the real CRIU (domain shut off),
 * restored by a stock {@code virsh start}, checked from the host, then saved into a save image and restored from it (as
 * {@code virt-lxc save} and {@code restore} do: CRIU reads the memory pages where they lie in the image). After every
 * restore the container's processes (in-container pid, command line, cwd, environment) are exactly those dumped, and
 * init is pid 1.
 *
 * <p>Workloads that need more than busybox run {@code matrix-workload} ({@code matrix-workload.c} next to this class),
 * compiled with {@code gcc -static} into the domain's root at test time.
 */
class WorkloadMatrixIT {
  private static final String PREFIX = "vlxct-matrix-";

  private final Checkpointer checkpointer = Checkpointer.create();
  private ControllerDomain domain;
  private String uuid;

  @AfterEach
  void tearDown() throws Exception {
    if (domain == null) {
      return;
    }
    if (uuid != null) {
      checkpointer.cancelRestore(uuid);
    }
    domain.close();
    Files.deleteIfExists(Path.of("/run/virt-lxc/jobs").resolve(domain.name + ".lock"));
    Leftovers.assertNone(domain.name, domain.work, Duration.ofSeconds(10));
  }

  /** 1. A shell counter loop continues from its value: the log it appends to holds 1..N, no reset, no gap. */
  @Test
  void shellCounterContinuesFromItsValue() throws Exception {
    start("i=0; while :; do i=$((i+1)); echo $i >> /tmp/counter.log; sleep 0.2; done");
    Path log = domain.rootfs.resolve("tmp/counter.log");
    awaitTrue(() -> lines(log).size() >= 5, "counter reached 5");
    for (int round = 1; round <= 2; round++) {
      saveAndRestore(round, () -> {
        int saved = lines(log).size();
        assertCounts(lines(log));
        return () -> {
          awaitTrue(() -> lines(log).size() >= saved + 5, "counter went on from " + saved);
          List<String> after = lines(log);
          assertCounts(after);
          System.out.println("counter: " + saved + " at the dump, " + after.size() + " now");
        };
      });
    }
  }

  /** 2. A producer | consumer pipe and a socketpair ping-pong keep talking, sequence numbers without gap or reset. */
  @Test
  void pipesAndSocketpairKeepTalking() throws Exception {
    start("/bin/matrix-workload pipes /tmp & wait");
    Path status = domain.rootfs.resolve("tmp/pipes");
    awaitTrue(() -> MatrixWorkload.field(status, "pipe") >= 10, "pipe messages flow");
    for (int round = 1; round <= 2; round++) {
      saveAndRestore(round, () -> {
        long saved = MatrixWorkload.field(status, "pipe");
        assertEquals(0, MatrixWorkload.field(status, "errors"), Files.readString(status));
        return () -> {
          awaitTrue(() -> MatrixWorkload.field(status, "pipe") >= saved + 20, "pipe messages flow on after " + saved);
          String now = Files.readString(status).strip();
          System.out.println("pipes: " + saved + " at the dump, now " + now);
          assertEquals(0, MatrixWorkload.field(status, "errors"), "no gap, reset or wrong answer: " + now);
          assertTrue(now.matches("pipe=(\\d+) ping=\\1 errors=0"), "one ping-pong per pipe message: " + now);
        };
      });
    }
  }

  /** 3. A file held open (not O_APPEND) and written to keeps its offset: no overwrite, no hole. */
  @Test
  void fileHeldOpenKeepsItsOffset() throws Exception {
    start(MatrixWorkload.HELD_OPEN + "; i=0; while :; do i=$((i+1)); " + MatrixWorkload.HELD_WRITE
        + "; sleep 0.2; done");
    Path file = domain.rootfs.resolve("tmp/held.log");
    awaitTrue(() -> Files.size(file) >= 5 * 14, "5 lines written");
    for (int round = 1; round <= 2; round++) {
      saveAndRestore(round, () -> {
        long saved = Files.size(file);
        MatrixWorkload.assertHeldFile(file);
        return () -> {
          awaitTrue(() -> Files.size(file) >= saved + 5 * 14, "writes went on after offset " + saved);
          long pos = ContainerProcesses.fdPosition(initPid(), 3);
          MatrixWorkload.assertHeldFile(file);
          System.out.println("held file: " + saved + " bytes at the dump, " + Files.size(file) + " now, fd 3 at "
              + pos);
          assertTrue(pos >= saved && pos <= Files.size(file), "restored fd offset " + pos);
        };
      });
    }
  }

  /**
   * 4. A TCP server on the host's loopback (no {@code <interface>}: the host's netns) serves new connections. CRIU
   * before 4.2 cannot dump any TCP socket on Linux 6.16 or later (see {@link Criu#explain}): there the dump must be
   * refused with that explanation and leave the server running and serving.
   */
  @Test
  void tcpServerKeepsServingNewConnections() throws Exception {
    int port = freePort();
    start("/bin/matrix-workload tcp " + port + " /tmp & wait");
    Path status = domain.rootfs.resolve("tmp/tcp");
    awaitTrue(() -> Files.exists(status), "server listening");
    String first = fetch(port);
    assertTrue(first.matches("pid=\\d+ served=1"), first);
    String pid = first.substring(0, first.indexOf(' '));
    int[] served = {1};
    if (!criuDumpsInetSockets()) {
      long ctl = domain.controllerPid();
      Path images = domain.work.resolve("images-1");
      CheckpointException e = assertThrows(CheckpointException.class,
          () -> checkpointer.dump(domain.name, images, DumpOptions.stop()));
      System.out.println("tcp with CRIU " + criuVersion() + " on Linux " + System.getProperty("os.version") + ": "
          + e.getMessage());
      assertTrue(e.getMessage().contains("(it keeps running): CRIU: sockets: Can't get 1:16 opt")
          && e.getMessage().contains("CRIU 4.2 or later can"), e.getMessage());
      assertEquals("running", Virsh.run("domstate", domain.name).ok().out().strip());
      assertEquals(ctl, domain.controllerPid());
      assertEquals(pid + " served=2", fetch(port), "the server keeps serving after the refused dump");
      return;
    }
    for (int round = 1; round <= 2; round++) {
      saveAndRestore(round, () -> {
        assertThrows(ConnectException.class, () -> fetch(port), "nothing listens while the domain is saved");
        return () -> {
          served[0]++;
          String after = fetch(port);
          System.out.println("tcp after restore: " + after);
          assertEquals(pid + " served=" + served[0], after, "the same server, its count not reset");
          served[0]++;
          assertEquals(pid + " served=" + served[0], fetch(port));
        };
      });
    }
  }

  /** 5. 256 MiB of pseudo-random anonymous memory hashes the same after each restore, in the same process. */
  @Test
  void anonymousMemoryKeepsItsData() throws Exception {
    start("/bin/matrix-workload memory 256 /tmp & wait");
    Path status = domain.rootfs.resolve("tmp/memory");
    Path request = domain.rootfs.resolve("tmp/memory.req");
    awaitTrue(() -> Files.exists(status), "memory filled and hashed", Duration.ofSeconds(60));
    String filled = Files.readString(status).strip();
    assertTrue(filled.matches("token=filled pid=\\d+ hash=[0-9a-f]{16}"), filled);
    String pidAndHash = filled.substring(filled.indexOf(' ') + 1);
    for (int round = 1; round <= 2; round++) {
      String token = "round-" + round;
      saveAndRestore(round, () -> () -> {
        Files.writeString(request, token + "\n");
        awaitTrue(() -> Files.readString(status).startsWith("token=" + token + " "), "memory hashed again",
            Duration.ofSeconds(60));
        String now = Files.readString(status).strip();
        System.out.println("memory: " + filled + " -> " + now);
        assertEquals("token=" + token + " " + pidAndHash, now, "same pid, same memory contents");
      });
    }
  }

  /** 6. The console: init's inherited stdout and a fresh open of /dev/console both reach libvirtd's console. */
  @Test
  void consoleOutputReachesLibvirtAfterRestore() throws Exception {
    start("i=0; while :; do i=$((i+1)); echo $i > /tmp/console.counter; echo \"held $i\";"
        + " echo \"opened $i\" > /dev/console; sleep 0.5; done");
    Path counter = domain.rootfs.resolve("tmp/console.counter");
    awaitTrue(() -> Files.exists(counter) && counterValue(counter) >= 2, "loop runs");
    for (int round = 1; round <= 2; round++) {
      saveAndRestore(round, () -> {
        int saved = counterValue(counter);
        return () -> {
          try (VirshConsole.Watch console = VirshConsole.watch(Virsh.URI, domain.name)) {
            int held = console.awaitNumber(Pattern.compile("held (\\d+)\\r?\\n"), n -> n > saved, 10_000);
            int opened = console.awaitNumber(Pattern.compile("opened (\\d+)\\r?\\n"), n -> n > saved, 10_000);
            System.out.println("console after restore (saved at " + saved + "): held " + held + ", opened " + opened);
          }
        };
      });
    }
  }

  /** 7. A process's cwd and environment, seen from the host, and every in-container pid are kept; init stays 1. */
  @Test
  void cwdEnvironmentAndPidsAreKept() throws Exception {
    String token = UUID.randomUUID().toString();
    start("mkdir -p /srv/matrix/work; (cd /srv/matrix/work && export MATRIX_TOKEN=" + token
        + " && exec /bin/matrix-workload hold) & cd /srv; while :; do sleep 1; done");
    Predicate<ContainerProcesses.Proc> isHold = p -> p.cmdline().equals("/bin/matrix-workload hold");
    awaitTrue(() -> processes().values().stream().anyMatch(isHold), "hold runs");
    for (int round = 1; round <= 2; round++) {
      saveAndRestore(round, () -> () -> {
        ContainerProcesses.Proc hold = processes().values().stream().filter(isHold).findFirst().orElseThrow();
        ContainerProcesses.Proc init = processes().get(1);
        System.out.println("hold: pid " + hold.pid() + " cwd " + hold.cwd() + "; init cwd " + init.cwd());
        assertTrue(hold.cwd().endsWith("/srv/matrix/work"), hold.cwd());
        assertTrue(init.cwd().endsWith("/srv"), init.cwd());
        assertTrue(hold.environ().contains("MATRIX_TOKEN=" + token), hold.environ());
        assertFalse(init.environ().contains("MATRIX_TOKEN"), init.environ());
      });
    }
  }

  /**
   * A restore over a running domain is refused and harms nothing; a second restore of the same image, once the domain
   * has run on and been stopped, is refused by CRIU (the file the tree holds open has grown since the dump) without
   * leaving anything behind, and cancelling it lets the domain boot afresh.
   */
  @Test
  void restoreOverARunningDomainIsRefusedAndASecondRestoreOfTheSameImageIsHarmless() throws Exception {
    start(MatrixWorkload.HELD_OPEN + "; i=0; while :; do i=$((i+1)); " + MatrixWorkload.HELD_WRITE
        + "; sleep 0.2; done");
    Path file = domain.rootfs.resolve("tmp/held.log");
    awaitTrue(() -> Files.size(file) >= 5 * 14, "5 lines written");
    Path images = domain.work.resolve("images-1");
    saveAndRestoreInto(images);
    long ctl = domain.controllerPid();

    CheckpointException refused = assertThrows(CheckpointException.class, () -> checkpointer.prepareRestore(images));
    System.out.println("prepareRestore of a running domain: " + refused.getMessage());
    assertEquals("unable to prepare the restore of " + domain.name + " from " + images + ": the domain is running"
        + " (controller " + ctl + "); shut it down or destroy it first", refused.getMessage());
    assertEquals(Optional.empty(), PendingRestore.find(uuid), "no restore left pending for a running domain");
    Virsh.Result again = Virsh.run("start", domain.name);
    assertNotEquals(0, again.status());
    assertTrue(again.err().contains("already active"), again.err());
    long size = Files.size(file);
    awaitTrue(() -> Files.size(file) >= size + 3 * 14, "the running domain goes on writing");
    assertEquals(ctl, domain.controllerPid(), "the same controller");
    MatrixWorkload.assertHeldFile(file);

    Virsh.run("destroy", domain.name).ok();
    // libvirtd answers the destroy before the controller has quite gone (seen under load): wait for it
    ProcessHandle.of(ctl).ifPresent(h -> h.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join());
    long atDestroy = Files.size(file);
    PendingRestore second = checkpointer.prepareRestore(images);
    Virsh.Result start = Virsh.run("start", domain.name);
    System.out.println("second restore of the same image: status " + start.status() + ": " + start.err().strip());
    assertNotEquals(0, start.status());
    assertTrue(start.err().contains("unable to restore domain " + domain.name)
        && start.err().contains("File tmp/held.log has bad size " + atDestroy)
        && start.err().contains("pending restore " + second.marker() + " kept"), start.err());
    assertEquals("shut off", Virsh.run("domstate", domain.name).ok().out().strip());
    Leftovers.assertNone(domain.name, domain.work, Duration.ofSeconds(5));
    assertEquals(atDestroy, Files.size(file), "the file is left as it was");
    MatrixWorkload.assertHeldFile(file);
    assertTrue(Files.isRegularFile(second.marker()), "the pending restore is kept");

    assertTrue(checkpointer.cancelRestore(uuid));
    Virsh.run("start", domain.name).ok();
    awaitTrue(() -> Files.size(file) >= 3 * 14 && Files.size(file) < atDestroy, "booted afresh (file rewritten)");
  }

  // ---- the save/restore cycle -------------------------------------------------------------------------------------

  /** Checks the saved state while the domain is shut off; returns what to check once it is restored. */
  private interface WhileSaved {
    AfterRestore check() throws Exception;
  }

  private interface AfterRestore {
    void check() throws Exception;
  }

  /** Dumps the domain into {@code images} and restores it (once), without further checks. */
  private void saveAndRestoreInto(Path images) throws Exception {
    checkpointer.dump(domain.name, images, DumpOptions.stop());
    checkpointer.prepareRestore(images);
    Virsh.run("start", domain.name).ok();
  }

  /**
   * Dumps the domain (it shuts off), runs {@code whileSaved}, restores it through {@code virsh start}, checks that the
   * container's processes are those dumped and init is pid 1, then runs what {@code whileSaved} returned.
   */
  private void saveAndRestore(int round, WhileSaved whileSaved) throws Exception {
    long ctl = domain.controllerPid();
    Map<Integer, ContainerProcesses.Proc> dumped = processes();
    assertEquals(1, onlyChildNsPid(ctl), "init is pid 1");
    Path images = domain.work.resolve("images-" + round);
    PendingRestore pending;
    AfterRestore after;
    if (round == 1) { // a checkpoint directory
      DumpResult dump = checkpointer.dump(domain.name, images, DumpOptions.stop());
      System.out.println(domain.name + " round " + round + ": dumped in " + dump.criuTime().toMillis() + " ms, "
          + sizeOf(images) / (1 << 20) + " MiB of images");
      assertEquals("shut off", Virsh.run("domstate", domain.name).ok().out().strip());
      after = whileSaved.check();
      pending = checkpointer.prepareRestore(images);
    } else { // a save image, as virt-lxc save and restore make and read it: CRIU reads its pages in the image itself
      SaveService service = new SaveService(checkpointer);
      Files.createDirectories(images);
      Path file = images.resolve("domain.save");
      SaveResult saved = service.save(domain.name, file, SaveOptions.defaults());
      System.out.println(domain.name + " round " + round + ": saved in " + saved + ", " + Files.size(file) / (1 << 20)
          + " MiB of image");
      assertEquals("shut off", Virsh.run("domstate", domain.name).ok().out().strip());
      after = whileSaved.check();
      try (UnpackedImage unpacked = service.unpack(file)) {
        pending = service.stage(unpacked, RunState.RUNNING);
      }
      assertTrue(MembersInPlace.read(pending.imageDir()).isPresent(), "the page images stay in the save image");
    }
    long t0 = System.nanoTime();
    Virsh.run("start", domain.name).ok();
    System.out.println(domain.name + " round " + round + ": restored by virsh start in "
        + (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertEquals("running", Virsh.run("domstate", domain.name).ok().out().strip());
    // The controller removes the marker once libvirtd has the domain, which may be just after virsh start returned.
    awaitTrue(() -> !Files.exists(pending.marker()), "pending restore " + pending.marker() + " consumed");
    long newCtl = domain.controllerPid();
    assertNotEquals(ctl, newCtl);
    assertEquals(1, onlyChildNsPid(newCtl), "restored init is pid 1");
    Map<Integer, ContainerProcesses.Proc> restored = processes();
    assertEquals(dumped, restored, "the same processes, pids, command lines, cwds and environments");
    after.check();
    if (round > 1) {
      ControllerDomain.deleteTree(domain.work.resolve("images-" + (round - 1)));
    }
  }

  // ---- domain and workloads ---------------------------------------------------------------------------------------

  private void start(String script) throws Exception {
    domain = new ControllerDomain(PREFIX);
    MatrixWorkload.install(domain.rootfs);
    domain.define(domain.xml("", "/bin/sh", List.of("-c", script), domain.rootfs, ""));
    uuid = Virsh.run("domuuid", domain.name).ok().out().strip();
    Virsh.run("start", domain.name).ok();
  }

  private Map<Integer, ContainerProcesses.Proc> processes() throws Exception {
    return ContainerProcesses.of(initPid());
  }

  private long initPid() throws Exception {
    return TestController.onlyChild(domain.controllerPid());
  }

  private static int onlyChildNsPid(long ctl) throws Exception {
    return ContainerProcesses.nsPid(TestController.onlyChild(ctl));
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  /** 1, 2, 3, ... N: nothing lost, nothing counted twice. */
  private static void assertCounts(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(Integer.toString(i + 1), lines.get(i), "line " + (i + 1) + " of the counter log " + lines);
    }
  }

  /** CRIU 4.2 or later, or a kernel before 6.16 (see {@link Criu#explain}). */
  private static boolean criuDumpsInetSockets() throws Exception {
    return compareVersions(criuVersion(), "4.2") >= 0 || compareVersions(System.getProperty("os.version"), "6.16") < 0;
  }

  private static String criuVersion() throws Exception {
    Process p = new ProcessBuilder(Criu.fromSystemProperty().command(List.of("--version"))).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "criu --version: " + out);
    Matcher m = Pattern.compile("Version: (\\S+)").matcher(out);
    assertTrue(m.find(), "criu --version: " + out);
    return m.group(1);
  }

  /** Compares the leading numeric parts of two versions ("6.18.0-1-amd64", "4.1.1"). */
  private static int compareVersions(String a, String b) {
    String[] x = a.split("[^0-9]+");
    String[] y = b.split("[^0-9]+");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Connects to 127.0.0.1:PORT and returns the one line the server sends. */
  private static String fetch(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(5000);
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  private static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /**
   * The number the workload keeps writing with {@code echo $i > FILE}; such a file is empty for a moment between the
   * shell's truncation and its write, so an empty read is retried.
   */
  private static int counterValue(Path file) throws Exception {
    for (int i = 0; ; i++) {
      String s = Files.readString(file).strip();
      if (s.matches("\\d+")) {
        return Integer.parseInt(s);
      }
      if (i == 100) {
        throw new AssertionError(file + " holds no number: '" + s + "'");
      }
      Thread.sleep(20);
    }
  }

  private static void awaitTrue(Await.Condition c, String what) throws Exception {
    Await.until(c, what, Duration.ofSeconds(20));
  }

  private static void awaitTrue(Await.Condition c, String what, Duration timeout) throws Exception {
    Await.until(c, what, timeout);
  }

}
