package org.virtlxc.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.checkpoint.criu.ConsoleTty;
import org.virtlxc.checkpoint.criu.CriuExternals;
import org.virtlxc.checkpoint.criu.ExternalNetns;
import org.virtlxc.checkpoint.criu.ExtraConsole;

/** Manifest, pending restore and the checks a dump makes before CRIU runs. */
class CheckpointerTest {
  private static final String UUID = "11111111-2222-3333-4444-555555555555";
  private final CheckpointManifest manifest = new CheckpointManifest("web", UUID, 420,
      new CriuExternals(new ConsoleTty(0x8804, 0x1a), List.of("/dev/console", "/dev/tty1"), List.of("/mnt/share")),
      Instant.parse("2026-11-27T10:49:06Z"));

  @Test
  void roundTrip(@TempDir Path dir) throws Exception {
    manifest.write(dir);
    assertEquals(manifest, CheckpointManifest.read(dir));
    assertFalse(Files.exists(dir.resolve(CheckpointManifest.FILE + ".tmp")));
  }

  @Test
  void roundTripWithTheContainersOwnNetworkNamespace(@TempDir Path dir) throws Exception {
    CheckpointManifest withNetns = new CheckpointManifest("web", UUID, 420, new CriuExternals(
        new ConsoleTty(0x8804, 0x1a), List.of("/dev/console"), List.of(), new ExternalNetns(4026532301L)),
        Instant.parse("2026-11-27T10:49:06Z"));
    withNetns.write(dir);
    assertTrue(Files.readString(dir.resolve(CheckpointManifest.FILE)).contains("netns.inode=4026532301\n"));
    assertEquals(withNetns, CheckpointManifest.read(dir));
    manifest.write(dir);
    assertEquals(null, CheckpointManifest.read(dir).externals().netns(), "none recorded: the host's");
  }

  @Test
  void roundTripWithExtraConsoles(@TempDir Path dir) throws Exception {
    CheckpointManifest two = new CheckpointManifest("web", UUID, 420, new CriuExternals(
        new ConsoleTty(0x8804, 0x1a), List.of("/dev/console", "/dev/tty1"), List.of(), null,
        List.of(new ExtraConsole(1, new ConsoleTty(0x8805, 0x1a), List.of("/dev/tty2")),
            new ExtraConsole(2, new ConsoleTty(0x8807, 0x1a), List.of("/dev/tty3")))),
        Instant.parse("2026-11-27T10:49:06Z"));
    two.write(dir);
    assertTrue(Files.readString(dir.resolve(CheckpointManifest.FILE)).contains("console.2.mount.0=/dev/tty3\n"));
    assertEquals(two, CheckpointManifest.read(dir));
  }

  @Test
  void criu41sSocketOptionFailureOnNewKernelsSaysWhatToDo() {
    assertEquals(" (CRIU before 4.2 cannot dump TCP or UDP sockets on Linux >= 6.16: run scripts/setup/install-criu.sh"
        + " for CRIU >= 4.2)", Checkpointer.hintFor("CRIU: sockets: Can't get 1:16 opt: Operation not supported (log x)"));
    assertEquals("", Checkpointer.hintFor("CRIU: something else"));
  }

  @Test
  void aDirectoryWithoutManifestIsNoCompleteDump(@TempDir Path dir) {
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointManifest.read(dir));
    assertEquals("unable to read checkpoint " + dir + ": no virt-lxc-checkpoint.properties (not a complete virt-lxc"
        + " dump)", e.getMessage());
  }

  @Test
  void errorsNameTheFileAndTheProblem(@TempDir Path dir) throws Exception {
    manifest.write(dir);
    Path file = dir.resolve(CheckpointManifest.FILE);
    Files.writeString(file, Files.readString(file).replace("format=1", "format=7"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointManifest.read(dir));
    assertEquals("unable to read " + file + ": unsupported format 7 (this virt-lxc reads 1)", e.getMessage());
    Files.writeString(file, "format=1\ndomain.name=web\n");
    e = assertThrows(CheckpointException.class, () -> CheckpointManifest.read(dir));
    assertEquals("unable to read " + file + ": missing console.tty", e.getMessage());
  }

  @Test
  void pendingRestoreIsWrittenFoundAndRemovedByUuid(@TempDir Path root, @TempDir Path images) throws Exception {
    String old = System.getProperty("virtlxc.restore.dir");
    System.setProperty("virtlxc.restore.dir", root.toString());
    try {
      assertEquals(Optional.empty(), PendingRestore.find(UUID));
      PendingRestore written = PendingRestore.write(manifest, images);
      assertEquals(root.resolve(UUID).resolve("pending.properties"), written.marker());
      assertEquals(Optional.of(written), PendingRestore.find(UUID.toUpperCase()).map(
          p -> new PendingRestore(UUID, p.name(), p.imageDir(), p.marker())));
      written.remove();
      assertEquals(Optional.empty(), PendingRestore.find(UUID));
      assertFalse(Files.exists(root.resolve(UUID)), "empty marker directory removed");
      assertTrue(Files.isDirectory(images), "images kept");

      Files.createDirectories(root.resolve(UUID));
      Files.writeString(root.resolve(UUID).resolve("pending.properties"), "images=relative/dir\n");
      CheckpointException e = assertThrows(CheckpointException.class, () -> PendingRestore.find(UUID));
      assertTrue(e.getMessage().endsWith("'images' must be an absolute path, not 'relative/dir'"), e.getMessage());
    } finally {
      if (old == null) {
        System.clearProperty("virtlxc.restore.dir");
      } else {
        System.setProperty("virtlxc.restore.dir", old);
      }
    }
  }

  @Test
  void prepareRestoreRefusesADirectoryWithoutCriuImages(@TempDir Path dir) throws Exception {
    manifest.write(dir);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Checkpointer.create().prepareRestore(dir));
    assertEquals("unable to prepare the restore of web from " + dir + ": no CRIU inventory.img in it", e.getMessage());
  }

  @Test
  void dumpOfAnUnknownDomainSaysItIsNotRunning(@TempDir Path stateDir, @TempDir Path images) {
    Checkpointer c = new Checkpointer(org.virtlxc.checkpoint.criu.Criu.fromSystemProperty(), stateDir);
    System.setProperty("virtlxc.jobs.dir", images.toString());
    CheckpointException e;
    try {
      e = assertThrows(CheckpointException.class, () -> c.dump("nosuch", images.resolve("x"), DumpOptions.stop()));
    } finally {
      System.clearProperty("virtlxc.jobs.dir");
    }
    assertEquals("unable to dump domain nosuch: it is not running (no " + stateDir.resolve("nosuch.pid") + ")",
        e.getMessage());
  }

  @Test
  void aSecondJobOnTheSameDomainIsRefused(@TempDir Path jobs) throws Exception {
    System.setProperty("virtlxc.jobs.dir", jobs.toString());
    try (DomainJobLock first = DomainJobLock.acquire("web")) {
      CheckpointException e = assertThrows(CheckpointException.class, () -> DomainJobLock.acquire("web"));
      assertEquals("unable to dump domain web: operation in progress (another checkpoint job holds "
          + jobs.resolve("web.lock") + ")", e.getMessage());
      DomainJobLock.acquire("other").close();
    }
    try {
      DomainJobLock.acquire("web").close(); // released with the first job
    } finally {
      System.clearProperty("virtlxc.jobs.dir");
    }
  }

  @Test
  void aDomainUnderAnotherControllerIsNotDumped(@TempDir Path stateDir) throws Exception {
    Process other = new ProcessBuilder("sleep", "30").start(); // stands in for libvirt_lxc
    try {
      Files.writeString(stateDir.resolve("web.pid"), other.pid() + "\n");
      Files.writeString(stateDir.resolve("web.xml"), "<domstatus state='running' reason='booted' pid='" + other.pid()
          + "'><init pid='1'/><domain type='lxc'><name>web</name><uuid>" + UUID + "</uuid><memory>1024</memory>"
          + "<os><type>exe</type><init>/bin/sh</init></os></domain></domstatus>");
      CheckpointException e = assertThrows(CheckpointException.class, () -> RunningDomain.find("web", stateDir));
      assertEquals("unable to dump domain web: its controller (sleep 30) is not virt-lxc's, which alone can restore"
          + " it; name virt-lxc-controller in its <emulator>", e.getMessage());
    } finally {
      other.destroyForcibly().waitFor();
    }
  }

  @Test
  void dumpWaitsForLibvirtdToRecordTheInitPid(@TempDir Path stateDir) throws Exception {
    // A stand-in controller (its command line names virt-lxc's main class) with one child, its "init".
    Process ctl = new ProcessBuilder("sh", "-c", "sleep 30 & wait", RunningDomain.CONTROLLER_MAIN).start();
    try {
      long init = awaitOnlyChild(ctl);
      Files.writeString(stateDir.resolve("web.pid"), ctl.pid() + "\n");
      Files.writeString(stateDir.resolve("web.xml"), status(ctl.pid(), ""));
      CheckpointException e = assertThrows(CheckpointException.class,
          () -> RunningDomain.find("web", stateDir, java.time.Duration.ofMillis(300)));
      assertEquals("unable to dump domain web: libvirtd does not know its init pid yet", e.getMessage());
      // The previous run's init pid, which libvirtd keeps in the status file until the INIT event of this run.
      long stale = ProcessHandle.current().pid();
      Files.writeString(stateDir.resolve("web.xml"), status(ctl.pid(), "<init pid='" + stale + "'/>"));
      e = assertThrows(CheckpointException.class,
          () -> RunningDomain.find("web", stateDir, java.time.Duration.ofMillis(300)));
      assertEquals("unable to dump domain web: its init " + stale + " is not a child of its controller " + ctl.pid()
          + " (is the <emulator> virt-lxc's controller?)", e.getMessage());

      Thread recorder = new Thread(() -> {
        try {
          Thread.sleep(500); // libvirtd handles the INIT event after virsh start returned
          Files.writeString(stateDir.resolve("web.xml"), status(ctl.pid(), "<init pid='" + init + "'/>"));
        } catch (Exception ex) {
          throw new IllegalStateException(ex);
        }
      });
      recorder.start();
      RunningDomain found = RunningDomain.find("web", stateDir);
      recorder.join();
      assertEquals(init, found.initPid());
      assertEquals(ctl.pid(), found.controllerPid());
    } finally {
      ctl.descendants().forEach(ProcessHandle::destroyForcibly);
      ctl.destroyForcibly().waitFor();
    }
  }

  /**
   * {@code dump} returns once the controller has ended, which may leave it an unreaped zombie for a while (libvirtd
   * double-forks it; the host's init reaps late) with its pid file still there: a restore prepared right then is allowed.
   */
  @Test
  void prepareRestoreTakesAnUnreapedControllerForEnded(@TempDir Path stateDir, @TempDir Path images,
      @TempDir Path restoreRoot) throws Exception {
    manifest.write(images);
    Files.writeString(images.resolve("inventory.img"), "");
    Checkpointer c = new Checkpointer(org.virtlxc.checkpoint.criu.Criu.fromSystemProperty(), stateDir);
    // the shell's child exits at once and prints its pid; the shell becomes sleep, which never reaps it
    Process parent = new ProcessBuilder("sh", "-c", "sleep 0.2 & echo $!; exec sleep 30").start();
    String old = System.getProperty("virtlxc.restore.dir");
    System.setProperty("virtlxc.restore.dir", restoreRoot.toString());
    try {
      StringBuilder line = new StringBuilder();
      for (int ch; (ch = parent.getInputStream().read()) >= 0 && ch != '\n'; ) {
        line.append((char) ch);
      }
      long zombie = Long.parseLong(line.toString().strip());
      for (int i = 0; i < 250 && ProcessExit.isRunning(zombie); i++) {
        Thread.sleep(20);
      }
      assertTrue(Files.readString(Path.of("/proc/" + zombie + "/stat")).contains(") Z "), "an unreaped zombie");
      Files.writeString(stateDir.resolve("web.pid"), zombie + "\n");
      assertTrue(Files.isRegularFile(c.prepareRestore(images).marker()));
    } finally {
      parent.destroyForcibly().waitFor();
      if (old == null) {
        System.clearProperty("virtlxc.restore.dir");
      } else {
        System.setProperty("virtlxc.restore.dir", old);
      }
    }
  }

  private static String status(long controller, String init) {
    return "<domstatus state='running' reason='booted' pid='" + controller + "'>" + init + "<domain type='lxc'>"
        + "<name>web</name><uuid>" + UUID + "</uuid><memory>1024</memory><os><type>exe</type><init>/bin/sh</init></os>"
        + "</domain></domstatus>";
  }

  private static long awaitOnlyChild(Process p) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      List<ProcessHandle> children = p.children().toList();
      if (children.size() == 1) {
        return children.get(0).pid();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no child of " + p.pid());
  }

  @Test
  void prepareRestoreRefusesARunningDomain(@TempDir Path stateDir, @TempDir Path images, @TempDir Path restoreRoot)
      throws Exception {
    manifest.write(images);
    Files.writeString(images.resolve("inventory.img"), "");
    Checkpointer c = new Checkpointer(org.virtlxc.checkpoint.criu.Criu.fromSystemProperty(), stateDir);
    Process controller = new ProcessBuilder("sleep", "30").start();
    String old = System.getProperty("virtlxc.restore.dir");
    System.setProperty("virtlxc.restore.dir", restoreRoot.toString());
    try {
      Files.writeString(stateDir.resolve("web.pid"), controller.pid() + "\n");
      CheckpointException e = assertThrows(CheckpointException.class, () -> c.prepareRestore(images));
      assertEquals("unable to prepare the restore of web from " + images + ": the domain is running (controller "
          + controller.pid() + "); shut it down or destroy it first", e.getMessage());
      assertEquals(Optional.empty(), PendingRestore.find(UUID), "no marker for a running domain");

      controller.destroyForcibly().waitFor(); // a pid file naming a process that is gone: not running
      assertTrue(Files.isRegularFile(c.prepareRestore(images).marker()));
      Files.delete(stateDir.resolve("web.pid")); // libvirtd removed it: shut off
      assertTrue(Files.isRegularFile(c.prepareRestore(images).marker()));
    } finally {
      controller.destroyForcibly();
      if (old == null) {
        System.clearProperty("virtlxc.restore.dir");
      } else {
        System.setProperty("virtlxc.restore.dir", old);
      }
    }
  }
}
