package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.CheckpointManifest;
import org.virtlxc.checkpoint.Checkpointer;
import org.virtlxc.checkpoint.DumpOptions;
import org.virtlxc.checkpoint.DumpResult;
import org.virtlxc.checkpoint.PendingRestore;

/**
 * Save and restore through libvirtd's own start path, with the real libvirtd, virt-lxc's controller (this build's jars)
 * and the real CRIU: {@link Checkpointer#dump} stops a busybox domain whose shell loop counts; {@link
 * Checkpointer#prepareRestore} and a stock {@code virsh start} bring the same tree back, counting on.
 */
class SaveRestoreIT {
  private static final Path BUILD_ROOT = Path.of(System.getProperty("virtlxc.build.root", "..")).toAbsolutePath()
      .normalize();
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  /** Counts into /tmp/counter (in the root filesystem) and prints each value on the console. */
  private static final String COUNTER_LOOP = Counter.loop("echo tick $i");

  private final Checkpointer checkpointer = Checkpointer.create();
  private String name;
  private String uuid;
  private Path work;
  private Path rootfs;
  private Path share;

  @BeforeEach
  void setUp() throws IOException {
    String id = UUID.randomUUID().toString().substring(0, 8);
    name = "vlxct-restore-" + id;
    uuid = UUID.randomUUID().toString();
    work = Files.createTempDirectory(Path.of("/tmp"), "vlxct-restore-");
    rootfs = busyboxRoot(work.resolve("root"));
    share = Files.createDirectories(work.resolve("share"));
    Files.writeString(share.resolve("hello"), "from the host\n");
    Path launcher = TestController.writeLauncher(work.resolve("virt-lxc-controller"));
    Path xml = work.resolve("domain.xml");
    Files.writeString(xml, domainXml(launcher));
    Virsh.run("define", xml.toString()).ok();
  }

  @AfterEach
  void tearDown() throws Exception {
    Virsh.destroyAndUndefine(name);
    checkpointer.cancelRestore(uuid);
    Files.deleteIfExists(Path.of("/run/virt-lxc/jobs").resolve(name + ".lock"));
    Files.deleteIfExists(Path.of("/run/virt-lxc/jobs").resolve(name + ".completed")); // the dumps' job records
    TestController.deleteTree(work);
  }

  @Test
  void saveAndRestoreTwiceContinuesTheSameTreeUnderLibvirt() throws Exception {
    Virsh.run("start", name).ok();
    long ctl = Virsh.controllerPid(name);
    awaitCounterAtLeast(4);
    String psBefore = containerPs();
    assertTrue(psBefore.matches("(?s).*\\n1 /bin/sh -c i=0.*"), "init is pid 1 in the container:\n" + psBefore);
    System.out.println("ps in the container before the dump:\n" + psBefore);

    for (int round = 1; round <= 2; round++) {
      Path images = work.resolve("images-" + round);
      DumpResult dump = checkpointer.dump(name, images, DumpOptions.stop());
      System.out.println("round " + round + ": dumped in " + dump.criuTime().toMillis() + " ms: " + dump.imageDir());
      assertEquals("shut off", Virsh.awaitState(name, "shut off"), "libvirt shows the dumped domain shut off");
      System.out.println("domstate --reason: " + Virsh.run("domstate", name, "--reason").ok().out().strip());
      assertTrue(waitUntilGone(ctl, 3000), "old controller " + ctl + " gone");
      assertTrue(Files.isRegularFile(images.resolve(CheckpointManifest.FILE)));
      assertTrue(Files.isRegularFile(images.resolve(CheckpointManifest.DOMAIN_XML)));
      int saved = Counter.read(rootfs);
      Thread.sleep(1500);
      assertEquals(saved, Counter.read(rootfs),
          "nothing counts while the domain is saved");

      PendingRestore pending = checkpointer.prepareRestore(images);
      assertTrue(Files.isRegularFile(pending.marker()), "pending restore marker " + pending.marker());
      assertEquals(PendingRestore.root().resolve(uuid).resolve("pending.properties"), pending.marker());

      long t0 = System.nanoTime();
      Virsh.run("start", name).ok();
      System.out.println("round " + round + ": virsh start (restore) took " + (System.nanoTime() - t0) / 1_000_000
          + " ms");
      assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
      long newCtl = Virsh.controllerPid(name);
      assertNotEquals(ctl, newCtl, "a new controller runs the restored domain");
      ctl = newCtl;
      long init = TestController.onlyChild(ctl);
      String nspid = nsPidLine(init);
      System.out.println("restored init " + nspid);
      assertTrue(nspid.matches("NSpid:\\s+" + init + "\\s+1"), "restored init is pid 1 inside: " + nspid);
      assertTrue(cgroupOf(init).contains("lxc-" + ctl + "-" + name + ".libvirt-lxc"),
          "restored init in the new machine cgroup: " + cgroupOf(init));
      assertFalse(Files.exists(pending.marker()), "marker removed after a successful restore");
      Path memory = CGROUP_ROOT.resolve("memory/machine/lxc-" + ctl + "-" + name + ".libvirt-lxc");
      assertEquals(256L << 20, Long.parseLong(Files.readString(memory.resolve("memory.limit_in_bytes")).strip()),
          "the domain's memory limit applies to the restored tree");

      int after = readCounter();
      System.out.println("round " + round + ": counter saved " + saved + ", after restore " + after);
      assertTrue(after >= saved && after <= saved + 10, "counter continues from " + saved + ", not reset: " + after);
      assertEquals(psBefore, containerPs(), "the same processes with the same pids in the container");
      assertEquals("from the host", enter("/bin/cat", "/mnt/share/hello").strip(), "host bind mount restored");
      assertEquals(name, enter("/bin/hostname").strip(), "the restored UTS namespace");
      String tick = readConsoleUntil(Pattern.compile("tick (\\d+)"), 8000);
      System.out.println("console after restore: " + tick);
      assertTrue(Integer.parseInt(tick.replace("tick ", "")) >= saved, "console carries the restored loop: " + tick);
      awaitCounterAtLeast(after + 1);
    }

    long init = TestController.onlyChild(ctl);
    Virsh.run("destroy", name).ok();
    assertTrue(waitUntilGone(ctl, 3000), "controller " + ctl + " gone");
    assertTrue(waitUntilGone(init, 1000), "restored init " + init + " gone");
    assertEquals(List.of(), cgroupDirs("lxc-" + ctl + "-" + name), "no machine cgroup left");
    assertEquals("shut off", Virsh.run("domstate", name).ok().out().strip());
  }

  @Test
  void leaveRunningKeepsTheDomainRunningAndItsCheckpointRestores() throws Exception {
    Virsh.run("start", name).ok();
    long ctl = Virsh.controllerPid(name);
    long init = TestController.onlyChild(ctl);
    awaitCounterAtLeast(3);
    int before = readCounter();
    Path images = work.resolve("live");
    DumpResult dump = checkpointer.dump(name, images, DumpOptions.leaveRunningAfterDump());
    int afterDump = readCounter();
    assertTrue(dump.leftRunning());
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    assertEquals(ctl, Virsh.controllerPid(name), "same controller");
    assertEquals(init, TestController.onlyChild(ctl), "same init");
    awaitCounterAtLeast(afterDump + 5);

    // Read before the destroy: a loop killed between the truncation and the write of its echo leaves the file empty.
    int atDestroy = readCounter();
    Virsh.run("destroy", name).ok();
    assertTrue(waitUntilGone(ctl, 3000));
    checkpointer.prepareRestore(images);
    Virsh.run("start", name).ok();
    // The file lives on the (not checkpointed) root filesystem: it shows the restored loop once that writes again.
    int restored = atDestroy;
    for (int i = 0; i < 30 && restored >= atDestroy; i++) {
      Thread.sleep(200);
      restored = readCounter();
    }
    System.out.println("live checkpoint between " + before + " and " + afterDump + ", counter " + atDestroy
        + " at destroy, " + restored + " after the restore");
    assertTrue(restored >= before && restored <= afterDump + 3, "restored from the checkpoint: " + restored);
  }

  @Test
  void criuKilledMidDumpLeavesTheDomainRunningAndSaysSo() throws Exception {
    Virsh.run("start", name).ok();
    long ctl = Virsh.controllerPid(name);
    long init = TestController.onlyChild(ctl);
    awaitCounterAtLeast(2);
    // At post-dump the images are written and the tree is still seized: kill CRIU itself, by its pid.
    Path script = executable(work.resolve("kill-criu.sh"), "#!/bin/sh\n"
        + "[ \"$CRTOOLS_SCRIPT_ACTION\" = post-dump ] || exit 0\n"
        + "p=$PPID\n"
        + "while [ \"$p\" -gt 1 ]; do\n"
        + "  if tr '\\0' ' ' < /proc/$p/cmdline | grep -q 'criu dump'; then kill -9 $p; exit 0; fi\n"
        + "  p=$(awk '/^PPid:/ {print $2}' /proc/$p/status)\n"
        + "done\n"
        + "exit 0\n");
    Path images = work.resolve("killed");
    CheckpointException e = assertThrows(CheckpointException.class, () -> checkpointer.dump(name, images,
        DumpOptions.stop().withExtraCriuArgs(List.of("--action-script", script.toString()))));
    System.out.println("dump with CRIU killed: " + e.getMessage());
    assertTrue(e.getMessage().contains("CRIU was killed by signal 9"), e.getMessage());
    assertTrue(e.getMessage().contains("keeps running"), e.getMessage());
    assertFalse(Files.exists(images.resolve(CheckpointManifest.FILE)), "no manifest: not a usable checkpoint");
    assertThrows(CheckpointException.class, () -> checkpointer.prepareRestore(images));
    assertDomainKeepsCounting(ctl, init);
  }

  @Test
  void failingDumpLeavesTheDomainRunningWithCriusFirstError() throws Exception {
    Virsh.run("start", name).ok();
    long ctl = Virsh.controllerPid(name);
    long init = TestController.onlyChild(ctl);
    awaitCounterAtLeast(2);
    Path script = executable(work.resolve("fail.sh"), "#!/bin/sh\n"
        + "[ \"$CRTOOLS_SCRIPT_ACTION\" = post-dump ] && exit 3\nexit 0\n");
    Path images = work.resolve("failed");
    CheckpointException e = assertThrows(CheckpointException.class, () -> checkpointer.dump(name, images,
        DumpOptions.stop().withExtraCriuArgs(List.of("--action-script", script.toString()))));
    System.out.println("dump with a failing post-dump script: " + e.getMessage());
    String firstError = firstCriuError(images.resolve("dump.log"));
    assertTrue(e.getMessage().contains("CRIU: " + firstError), e.getMessage() + " names " + firstError);
    assertDomainKeepsCounting(ctl, init);
  }

  @Test
  void failedRestoreKeepsThePendingImageAndLeavesNoHalfRunningDomain() throws Exception {
    Virsh.run("start", name).ok();
    long ctl = Virsh.controllerPid(name);
    awaitCounterAtLeast(3);
    Path images = work.resolve("images");
    checkpointer.dump(name, images, DumpOptions.stop());
    Virsh.awaitState(name, "shut off");
    int saved = Counter.read(rootfs);
    PendingRestore pending = checkpointer.prepareRestore(images);

    // One of CRIU's image files is missing (the controller's own checks pass, CRIU itself fails).
    Path pstree = images.resolve("pstree.img");
    Path moved = work.resolve("pstree.img-moved");
    Files.move(pstree, moved);
    Virsh.Result start = Virsh.run("start", name);
    System.out.println("virsh start without pstree.img: status " + start.status() + "\n" + start.err());
    assertNotEquals(0, start.status());
    assertTrue(start.err().contains("unable to restore domain " + name), start.err());
    // CRIU 4.1.1 does not report a missing pstree.img, it crashes (SIGSEGV): the message says how CRIU ended.
    assertTrue(start.err().contains("CRIU"), "CRIU's failure named: " + start.err());
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    assertTrue(Files.isRegularFile(pending.marker()), "pending restore kept");
    assertTrue(Files.isRegularFile(images.resolve("inventory.img")), "images kept");
    Thread.sleep(1500);
    assertEquals(List.of(), processesRootedIn(rootfs), "no half-running domain");
    assertEquals(List.of(), processesMentioning(name), "no controller left");
    assertEquals(List.of(), cgroupDirs(name), "no cgroup of the domain left");

    Files.move(moved, pstree); // fixed: the same pending restore now succeeds
    Virsh.run("start", name).ok();
    int after = readCounter();
    assertTrue(after >= saved && after <= saved + 10, "restored after the failure: " + saved + " -> " + after);
    assertFalse(Files.exists(pending.marker()));
  }

  @Test
  void aPausedDomainIsNotDumped() throws Exception {
    Virsh.run("start", name).ok();
    long ctl = Virsh.controllerPid(name);
    long init = TestController.onlyChild(ctl);
    awaitCounterAtLeast(2);
    Virsh.run("suspend", name).ok();
    try {
      CheckpointException e = assertThrows(CheckpointException.class,
          () -> checkpointer.dump(name, work.resolve("paused"), DumpOptions.stop()));
      System.out.println("dump of a paused domain: " + e.getMessage());
      assertEquals("unable to dump domain " + name + ": it is paused (freezer FROZEN); resume it first",
          e.getMessage());
      assertEquals("paused", Virsh.run("domstate", name).ok().out().strip());
    } finally {
      Virsh.run("resume", name);
    }
    assertDomainKeepsCounting(ctl, init);
  }

  private void assertDomainKeepsCounting(long ctl, long init) throws Exception {
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    assertEquals(ctl, Virsh.controllerPid(name), "same controller");
    assertEquals(init, TestController.onlyChild(ctl), "same init");
    int before = readCounter();
    awaitCounterAtLeast(before + 2);
  }

  private String domainXml(Path launcher) {
    return "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <uuid>" + uuid + "</uuid>\n"
        + "  <memory unit='KiB'>262144</memory>\n"
        + "  <vcpu>1</vcpu>\n"
        + "  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>" + COUNTER_LOOP
        + "</initarg></os>\n"
        + "  <devices>\n"
        + "    <emulator>" + launcher + "</emulator>\n"
        + "    <filesystem type='mount'><source dir='" + rootfs + "'/><target dir='/'/></filesystem>\n"
        + "    <filesystem type='mount'><source dir='" + share + "'/><target dir='/mnt/share'/></filesystem>\n"
        + "    <console type='pty'/>\n"
        + "  </devices>\n"
        + "</domain>\n";
  }

  private String enter(String... command) {
    List<String> args = new ArrayList<>(List.of("lxc-enter-namespace", name, "--noseclabel"));
    args.addAll(List.of(command));
    return Virsh.run(args.toArray(String[]::new)).ok().out();
  }

  /** pid and command of every process in the container, as its own ps sees them (the ps itself left out). */
  private String containerPs() {
    return enter("/bin/ps", "-o", "pid,args").lines().map(String::strip)
        .filter(l -> !l.matches("\\d+ (sleep|/bin/ps) .*")).reduce("", (a, b) -> a + b + "\n");
  }

  private int readCounter() throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      Virsh.Result r = Virsh.run("lxc-enter-namespace", name, "--noseclabel", "/bin/cat", "/tmp/counter");
      if (r.status() == 0 && r.out().strip().matches("\\d+")) {
        return Integer.parseInt(r.out().strip());
      }
      if (attempt > 20) {
        throw new AssertionError("unable to read the counter: " + r.err());
      }
      Thread.sleep(250);
    }
  }

  private void awaitCounterAtLeast(int value) throws InterruptedException {
    for (int i = 0; i < 40; i++) {
      int c = readCounter();
      if (c >= value) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("counter of " + name + " did not reach " + value);
  }

  /** Reads the domain's console through libvirt's pty until {@code pattern} matches; returns the match. */
  private String readConsoleUntil(Pattern pattern, long millis) throws Exception {
    Matcher tty = Pattern.compile("<console type='pty' tty='([^']+)'").matcher(Virsh.run("dumpxml", name).ok().out());
    assertTrue(tty.find(), "console pty in the live XML");
    Path slave = Path.of(tty.group(1));
    Process stty = new ProcessBuilder("stty", "-F", slave.toString(), "raw", "-echo").inheritIO().start();
    assertEquals(0, stty.waitFor(), "stty raw -echo on " + slave);
    StringBuffer seen = new StringBuffer();
    InputStream in = new FileInputStream(slave.toFile());
    Thread reader = new Thread(() -> {
      byte[] buf = new byte[256];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
      } catch (IOException e) {
        // closed or hung up
      }
    }, "console-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      long deadline = System.currentTimeMillis() + millis;
      while (System.currentTimeMillis() < deadline) {
        Matcher m = pattern.matcher(seen);
        if (m.find() && seen.indexOf("\n", m.end()) >= 0) {
          return m.group();
        }
        Thread.sleep(100);
      }
      throw new AssertionError("console of " + name + " showed no " + pattern + " within " + millis + " ms: " + seen);
    } finally {
      in.close();
    }
  }

  private static String firstCriuError(Path log) throws IOException {
    for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
      if (line.contains("Error (") && !line.contains("RLIMIT_NOFILE")) {
        return line.substring(line.indexOf("): ") + 3).strip();
      }
    }
    throw new AssertionError("no error in " + log);
  }

  private static List<Long> processesRootedIn(Path root) throws IOException {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
        try {
          if (Files.readSymbolicLink(p.resolve("root")).equals(root)) {
            found.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return found;
  }

  private static List<Long> processesMentioning(String text) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(text)).orElse(false))
        .map(ProcessHandle::pid).toList();
  }

  private static String nsPidLine(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("NSpid:"))
        .findFirst().orElseThrow();
  }

  private static String cgroupOf(long pid) throws IOException {
    return Files.readString(Path.of("/proc/" + pid + "/cgroup"));
  }

  /** Gone, or a zombie (the host's pid 1 reaps lazily). */
  private static boolean waitUntilGone(long pid, long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      try {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
          return true;
        }
      } catch (IOException e) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  private static List<Path> cgroupDirs(String fragment) throws IOException {
    return Leftovers.cgroupDirs(List.of(fragment));
  }

  private static Path executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private static Path busyboxRoot(Path root) throws IOException {
    Files.createDirectories(TestController.busyboxRoot(root).resolve("mnt/share"));
    return root;
  }
}
