package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.virtlxc.api.Checkpoints;
import org.virtlxc.api.RestoreOptions;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.PendingRestore;
import org.virtlxc.checkpoint.SaveOptions;
import org.virtlxc.checkpoint.SaveResult;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.cli.VirtLxc;
import org.virtlxc.tests.examples.SaveRestoreExample;

/**
 * The save/restore verbs end to end: {@code virt-lxc save|restore|managedsave|managedsave-remove|start} run in-process
 * (picocli, as the installed command runs them) and the Java API ({@link Checkpoints}), against the real libvirtd,
 * this build's controller and the real CRIU, on a busybox domain whose init counts in memory and writes the count to
 * {@code /tmp/counter} of its root filesystem.
 */
class SaveRestoreCommandIT {
  private static final String COUNTER_LOOP = Counter.LOOP;

  private final Checkpoints checkpoints = Checkpoints.create();
  private String name;
  private String uuid;
  private Path work;
  private Path rootfs;
  private Path xml;
  private Path tmpfs;
  private Connect conn;

  /** What one in-process {@code virt-lxc} run printed and returned. */
  record Run(int status, String out, String err) {
    Run ok() {
      assertEquals(0, status, "virt-lxc failed: " + err);
      return this;
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    name = "vlxct-saveapi-" + id;
    uuid = UUID.randomUUID().toString();
    work = Files.createTempDirectory(Path.of("/tmp"), "vlxct-saveapi-");
    rootfs = TestController.busyboxRoot(work.resolve("root"));
    Path launcher = TestController.writeLauncher(work.resolve("virt-lxc-controller"));
    xml = work.resolve("domain.xml");
    Files.writeString(xml, "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <uuid>" + uuid + "</uuid>\n"
        + "  <memory unit='KiB'>131072</memory>\n"
        + "  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>" + COUNTER_LOOP
        + "</initarg></os>\n"
        + "  <devices>\n"
        + "    <emulator>" + launcher + "</emulator>\n"
        + "    <filesystem type='mount'><source dir='" + rootfs + "'/><target dir='/'/></filesystem>\n"
        + "    <console type='pty'/>\n"
        + "  </devices>\n"
        + "</domain>\n");
    Virsh.run("define", xml.toString()).ok();
    conn = new Connect(Virsh.URI);
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (conn != null) {
        conn.close();
      }
      if (tmpfs != null) {
        new ProcessBuilder("umount", "-l", tmpfs.toString()).inheritIO().start().waitFor();
        Files.deleteIfExists(tmpfs);
      }
      Virsh.destroyAndUndefine(name);
      PendingRestore.find(uuid).ifPresent(p -> {
        try {
          p.discard();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Files.deleteIfExists(Path.of("/run/virt-lxc/jobs").resolve(name + ".lock"));
    } finally {
      TestController.deleteTree(work);
    }
  }

  @Test
  void saveShutsTheDomainOffAndRestoreContinuesItsCounter() throws Exception {
    startAndCount(3);
    Path file = work.resolve("images/" + name + ".save");
    Files.createDirectories(file.getParent());

    Run save = virtLxc("save", name, file.toString(), "--compress", "--verbose").ok();
    System.out.println("save: " + save.out().strip() + "\n" + save.err().strip());
    assertEquals("\nDomain '" + name + "' saved to " + file + "\n", save.out());
    assertTrue(save.err().contains("Save: [100 %]"), "progress with --verbose: " + save.err());
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    assertEquals(List.of(file), list(file.getParent()), "only the image next to it: no work dir, no temp file");
    int saved = Counter.current(rootfs);
    Thread.sleep(1500);
    assertEquals(saved, Counter.current(rootfs), "nothing runs once saved");
    byte[] image = Files.readAllBytes(file);

    Run restore = virtLxc("restore", file.toString(), "--verbose").ok();
    assertEquals("Domain restored from " + file + "\n", restore.out());
    assertTrue(restore.err().contains("Restore: [100 %]"), "unpack progress with --verbose: " + restore.err());
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    int after = Counter.awaitAbove(rootfs, saved - 1, Duration.ofSeconds(15));
    System.out.println("counter saved " + saved + ", after restore " + after);
    assertTrue(after >= saved && after <= saved + 5, "the counter continues from " + saved + ": " + after);
    assertArrayEquals(image, Files.readAllBytes(file), "the save image is kept as it was");
    assertTrue(awaitGone(PendingRestore.ownedImagesDir(uuid)), "the unpacked image is removed");
    assertTrue(awaitGone(PendingRestore.ownedFastImagesDir(uuid).getParent()), "the image unpacked in memory too");
    assertEquals(java.util.Optional.empty(), PendingRestore.find(uuid), "no pending restore left");
  }

  @Test
  void aPlainImageIsRestoredWithCriuReadingItsPagesInTheImageItself() throws Exception {
    Path launcher = work.resolve("virt-lxc-controller"); // its info lines too, in the domain's log
    Files.writeString(launcher, Files.readString(launcher).replaceFirst("\n", "\nexport LIBVIRT_DEBUG=2\n"));
    startAndCount(3);
    Path file = work.resolve("plain.save");
    virtLxc("save", name, file.toString()).ok();
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    int saved = Counter.current(rootfs);
    byte[] image = Files.readAllBytes(file);

    Run restore = virtLxc("restore", file.toString()).ok();
    assertEquals("Domain restored from " + file + "\n", restore.out());
    int after = Counter.awaitAbove(rootfs, saved - 1, Duration.ofSeconds(15));
    assertTrue(after >= saved && after <= saved + 5, "the counter continues from " + saved + ": " + after);
    String log = Files.readString(Path.of("/var/log/libvirt/lxc", name + ".log"));
    Matcher served = Pattern.compile("serving CRIU's images for --stream, (\\d+) page images from " + Pattern.quote(
        file.toRealPath().toString())).matcher(log);
    assertTrue(served.find(), "the controller served the page images from the save image: " + log);
    assertTrue(Integer.parseInt(served.group(1)) >= 1, served.group());
    assertTrue(log.contains(" --stream"), "CRIU read its images from the server");
    assertArrayEquals(image, Files.readAllBytes(file), "the save image is kept as it was");
    assertTrue(awaitGone(PendingRestore.ownedFastImagesDir(uuid).getParent()), "the unpacked rest is removed");
  }

  /**
   * The controller runs in libvirtd's mount namespace, which is private on hybrid cgroup hosts
   * (scripts/setup/ensure-libvirtd.sh) and then does not see a file system mounted after libvirtd started: an image
   * there is restored with its pages unpacked; where libvirtd sees it, they are read in place.
   */
  @Test
  void anImageOnAFileSystemMountedAfterLibvirtdStartedIsRestoredToo() throws Exception {
    Path launcher = work.resolve("virt-lxc-controller"); // its info lines too, in the domain's log
    Files.writeString(launcher, Files.readString(launcher).replaceFirst("\n", "\nexport LIBVIRT_DEBUG=2\n"));
    startAndCount(3);
    tmpfs = Files.createDirectories(Path.of("/tmp/vlxct-saveapi-tmpfs-" + name.substring(name.length() - 8)));
    assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "vlxct-saveapi", tmpfs.toString())
        .inheritIO().start().waitFor(), "mount a tmpfs");
    Path file = tmpfs.resolve("late.save");
    virtLxc("save", name, file.toString()).ok();
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    int saved = Counter.current(rootfs);
    long libvirtd = Long.parseLong(Files.readString(Path.of("/run/libvirtd.pid")).strip());
    boolean libvirtdSeesIt = Files.exists(Path.of("/proc/" + libvirtd + "/root" + file));

    virtLxc("restore", file.toString()).ok();
    int after = Counter.awaitAbove(rootfs, saved - 1, Duration.ofSeconds(15));
    assertTrue(after >= saved && after <= saved + 5, "the counter continues from " + saved + ": " + after);
    String log = Files.readString(Path.of("/var/log/libvirt/lxc", name + ".log"));
    System.out.println("libvirtd sees " + file + ": " + libvirtdSeesIt);
    assertEquals(libvirtdSeesIt, log.contains("serving CRIU's images for --stream"),
        "pages read in place exactly when the controller can open the image: " + log);
    assertTrue(awaitGone(PendingRestore.ownedFastImagesDir(uuid).getParent()), "the unpacked image is removed");
  }

  @Test
  void aSaveImageChangedAfterItsCheckIsNotRestoredFromAndTheRestoreStaysPending() throws Exception {
    startAndCount(2);
    Path file = work.resolve("changed.save");
    virtLxc("save", name, file.toString()).ok();
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    int saved = Counter.current(rootfs);
    org.virtlxc.checkpoint.SaveService service = org.virtlxc.checkpoint.SaveService.create();
    try (org.virtlxc.checkpoint.UnpackedImage unpacked = service.unpack(file)) {
      service.stage(unpacked, RunState.RUNNING);
    }
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
        Files.getLastModifiedTime(file).toMillis() - 60_000)); // e.g. copied over by something else

    Virsh.Result start = Virsh.run("start", name);
    assertNotEquals(0, start.status(), "a restore from a file that is no longer the one checked fails");
    assertTrue(start.err().contains("changed since it was verified"), start.err());
    assertEquals("shut off", Virsh.run("domstate", name).ok().out().strip());
    assertTrue(PendingRestore.find(uuid).isPresent(), "the restore stays pending, as after any failed restore");
    assertEquals(saved, Counter.current(rootfs), "nothing of the image ran");
  }

  @Test
  void javaApiRestoresIntoThePausedStateAndResumes() throws Exception {
    startAndCount(2);
    Path file = work.resolve("paused.save");
    {
      Domain dom = conn.domainLookupByName(name);
      SaveResult r = checkpoints.save(dom, file, SaveOptions.defaults().withRunState(RunState.PAUSED));
      System.out.println("saved " + r);
      assertEquals("shut off", Virsh.awaitState(name, "shut off"));
      int saved = Counter.current(rootfs);
      Domain back = checkpoints.restore(conn, file, RestoreOptions.defaults());
      assertEquals("paused", Virsh.run("domstate", name).ok().out().strip(), "the image's run state: paused");
      assertFalse(Files.exists(PendingRestore.ownedImagesDir(uuid)), "the unpacked image is gone before the pause");
      assertFalse(Files.exists(PendingRestore.ownedFastImagesDir(uuid)), "also when unpacked in memory");
      Thread.sleep(2500);
      int paused = Counter.current(rootfs);
      assertEquals(saved, paused, "nothing of the container ran after the restore");
      String states = processStates(back);
      System.out.println("restored paused: freezer " + Files.readString(freezerStateFile()).strip() + ", states "
          + states);
      assertEquals("FROZEN", Files.readString(freezerStateFile()).strip());
      back.resume();
      assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
      int after = Counter.awaitAbove(rootfs, paused, Duration.ofSeconds(15));
      assertTrue(after <= paused + 5, "counts on from " + paused + ": " + after);
    }
  }

  @Test
  void theReadmeExampleSavesAndRestores() throws Exception {
    startAndCount(3);
    int before = Counter.current(rootfs);
    Path file = work.resolve("example.save.zst");
    Domain restored = SaveRestoreExample.saveAndRestore(conn, name, file);
    assertEquals(name, restored.getName());
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    assertTrue(Files.size(file) > 0, "the image is kept");
    int c = Counter.awaitAbove(rootfs, before, Duration.ofSeconds(15));
    assertTrue(c <= before + 8, "continued from " + before + ", not restarted: " + c);
  }

  @Test
  void managedSaveIsRestoredByAPlainVirshStartAndThenRemoved() throws Exception {
    startAndCount(3);
    Run ms = virtLxc("managedsave", name).ok();
    assertEquals("\nDomain '" + name + "' state saved by libvirt\n", ms.out());
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    int saved = Counter.current(rootfs);
    Path images = PendingRestore.ownedImagesDir(uuid);
    assertTrue(Files.isRegularFile(images.resolve("inventory.img")), "managed save image in " + images);

    Virsh.run("start", name).ok();
    int after = Counter.awaitAbove(rootfs, saved - 1, Duration.ofSeconds(15));
    assertTrue(after >= saved && after <= saved + 5, "restored by virsh start: " + saved + " -> " + after);
    assertTrue(awaitGone(images), "managed save image removed after the restore");
    assertEquals(java.util.Optional.empty(), PendingRestore.find(uuid));

    Counter.awaitAbove(rootfs, after + 1, Duration.ofSeconds(15));
    virtLxc("managedsave", name).ok();
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    int second = Counter.current(rootfs);
    Run start = virtLxc("start", name, "--force-boot").ok();
    assertEquals("Domain '" + name + "' started\n", start.out());
    assertFalse(Files.exists(images), "--force-boot discarded the managed save");
    int booted = Counter.awaitBelow(rootfs, second, Duration.ofSeconds(15));
    System.out.println("managed save at " + second + ", force-boot counts from " + booted);

    Counter.awaitAbove(rootfs, booted + 1, Duration.ofSeconds(15));
    virtLxc("managedsave", name, "--paused").ok();
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    int third = Counter.current(rootfs);
    virtLxc("start", name).ok();
    assertEquals("paused", Virsh.run("domstate", name).ok().out().strip(), "virt-lxc start honours --paused");
    Thread.sleep(1500);
    assertEquals(third, Counter.current(rootfs), "nothing runs while paused");
    Virsh.run("resume", name).ok();
    int resumed = Counter.awaitAbove(rootfs, third, Duration.ofSeconds(15));

    virtLxc("managedsave", name, "--paused").ok();
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    int fourth = Counter.current(rootfs);
    Virsh.run("start", name).ok(); // stock virsh: the controller pauses it through libvirt
    assertEquals("paused", Virsh.awaitState(name, "paused"), "a plain virsh start honours --paused too");
    Thread.sleep(1500);
    assertEquals(fourth, Counter.current(rootfs), "nothing runs while paused");
    assertTrue(fourth >= resumed, resumed + " -> " + fourth);
    Virsh.run("resume", name).ok();
    Counter.awaitAbove(rootfs, fourth, Duration.ofSeconds(15));

    virtLxc("managedsave", name).ok();
    assertEquals("Removed managedsave image for domain '" + name + "'\n",
        virtLxc("managedsave-remove", name).ok().out());
    assertEquals("Domain '" + name + "' has no manage save image; removal skipped\n",
        virtLxc("managedsave-remove", name).ok().out());
    assertFalse(Files.exists(images));
  }

  @Test
  void restoreOfAnUndefinedDomainDefinesIt() throws Exception {
    startAndCount(2);
    Path file = work.resolve("undefined.save");
    virtLxc("save", name, file.toString()).ok();
    Virsh.awaitState(name, "shut off");
    int saved = Counter.current(rootfs);
    Virsh.run("undefine", name).ok();
    assertFalse(Virsh.allDomainNames().contains(name));

    virtLxc("restore", file.toString()).ok();
    assertTrue(Virsh.allDomainNames().contains(name), "defined by the restore");
    assertEquals(uuid, Virsh.run("domuuid", name).ok().out().strip());
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    int after = Counter.awaitAbove(rootfs, saved - 1, Duration.ofSeconds(15));
    assertTrue(after >= saved && after <= saved + 5, saved + " -> " + after);
  }

  @Test
  void aFullDiskDuringTheImageWriteLeavesTheDomainRunningAndTheFileUntouched() throws Exception {
    long ctl = startAndCount(2);
    long init = TestController.onlyChild(ctl);
    Path probe = work.resolve("probe.save");
    virtLxc("save", name, probe.toString(), "--leave-running").ok();
    long size = Files.size(probe);
    // Room for half the image: CRIU dumps into /dev/shm (plenty of memory here), the image write runs out of space.
    tmpfs = Files.createDirectories(Path.of("/tmp/vlxct-saveapi-tmpfs-" + name.substring(name.length() - 8)));
    long kib = size / 2 / 1024 + 64;
    assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "vlxct-saveapi",
        tmpfs.toString()).inheritIO().start().waitFor(), "mount a " + kib + " KiB tmpfs");
    Path file = tmpfs.resolve("full.save");
    Files.writeString(file, "an older file\n");

    Run save = virtLxc("save", name, file.toString());
    System.out.println("save to a " + kib + " KiB tmpfs (image " + size + " bytes): " + save.err().strip());
    assertEquals(1, save.status());
    assertTrue(save.err().startsWith("error: Failed to save domain '" + name + "' to " + file + "\nerror: "),
        save.err());
    assertTrue(save.err().contains("No space left on device"), save.err());
    assertTrue(save.err().contains("keeps running"), save.err());
    assertEquals("an older file\n", Files.readString(file), "the older file is untouched");
    assertEquals(List.of(file), list(tmpfs), "no temporary file or dump directory left");
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    assertEquals(ctl, Virsh.controllerPid(name), "same controller");
    assertEquals(init, TestController.onlyChild(ctl), "same init");
    int now = Counter.current(rootfs);
    Counter.awaitAbove(rootfs, now + 1, Duration.ofSeconds(15));
  }

  @Test
  void damagedImagesAreRefusedBeforeAnythingIsTouched() throws Exception {
    startAndCount(2);
    Path good = work.resolve("good.save");
    virtLxc("save", name, good.toString()).ok();
    Virsh.awaitState(name, "shut off");
    byte[] bytes = Files.readAllBytes(good);
    // An uncompressed save streams CRIU's pages into the image while CRIU dumps: they come first, after the room
    // left for the manifest.
    List<org.virtlxc.checkpoint.image.MemberInfo> members =
        org.virtlxc.checkpoint.image.SaveImageReader.readManifest(good).members();
    assertEquals("extra/padding", members.get(0).name(), members.toString());
    assertTrue(members.get(1).isPages() && members.get(1).size() > 0, members.toString());

    Path flipped = work.resolve("flipped.save");
    byte[] f = bytes.clone();
    f[f.length / 2] ^= 0x10;
    Files.write(flipped, f);
    Path truncated = work.resolve("truncated.save");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
    Path future = work.resolve("future.save");
    Files.write(future, withFormatVersion(bytes, 9));

    for (Path bad : List.of(flipped, truncated, future)) {
      byte[] before = Files.readAllBytes(bad);
      List<Path> otherUnpacking = unpackingLeftovers(List.of());
      Run r = virtLxc("restore", bad.toString());
      System.out.println(bad.getFileName() + ": " + r.err().strip());
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().startsWith("error: Failed to restore domain from " + bad + "\nerror: "), r.err());
      String reason = bad == future ? "format version 9" : bad == truncated ? "ends" : "checksum";
      assertTrue(r.err().toLowerCase().contains(reason) || r.err().contains("corrupt")
          || r.err().contains("truncated"), "names the defect (" + reason + "): " + r.err());
      assertArrayEquals(before, Files.readAllBytes(bad), "image untouched");
      assertEquals("shut off", Virsh.run("domstate", name).ok().out().strip());
      assertEquals(java.util.Optional.empty(), PendingRestore.find(uuid), "no pending restore");
      assertFalse(Files.exists(PendingRestore.ownedImagesDir(uuid)), "nothing unpacked");
      assertFalse(Files.exists(PendingRestore.ownedFastImagesDir(uuid)), "nothing unpacked in memory");
      assertEquals(List.of(), unpackingLeftovers(otherUnpacking), "no private unpacking directory left");
    }
    virtLxc("restore", good.toString()).ok();
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
  }

  @Test
  void aFailedRestoreKeepsTheImageAndLeavesNothingBehind() throws Exception {
    startAndCount(2);
    Path file = work.resolve("kept.save");
    virtLxc("save", name, file.toString()).ok();
    Virsh.awaitState(name, "shut off");
    int saved = Counter.current(rootfs);
    byte[] image = Files.readAllBytes(file);
    Virsh.run("undefine", name).ok();
    Path moved = work.resolve("root-moved"); // the root filesystem the domain XML names is gone: the start fails
    Files.move(rootfs, moved);

    List<Path> otherUnpacking = unpackingLeftovers(List.of());
    Run r = virtLxc("restore", file.toString());
    System.out.println("restore without its root filesystem: " + r.err().strip());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("error: Failed to restore domain from " + file + "\nerror: unable to restore domain "
        + name + " from " + file + ": "), r.err());
    assertTrue(r.err().contains(rootfs.toString()) && r.err().contains("the save image is kept"), r.err());
    assertArrayEquals(image, Files.readAllBytes(file), "the save image is kept as it was");
    assertFalse(Virsh.allDomainNames().contains(name), "the domain the restore defined is undefined again");
    assertEquals(java.util.Optional.empty(), PendingRestore.find(uuid), "no pending restore left");
    assertFalse(Files.exists(PendingRestore.ownedImagesDir(uuid)), "no unpacked image left");
    assertFalse(Files.exists(PendingRestore.ownedFastImagesDir(uuid)), "no image unpacked in memory left");
    assertEquals(List.of(), unpackingLeftovers(otherUnpacking), "no private unpacking directory left");
    assertFalse(Files.exists(Path.of("/run/libvirt/lxc").resolve(name + ".pid")), "no controller left");

    Files.move(moved, rootfs);
    virtLxc("restore", file.toString()).ok();
    int after = Counter.awaitAbove(rootfs, saved - 1, Duration.ofSeconds(15));
    assertTrue(after >= saved && after <= saved + 5, "restored once fixed: " + saved + " -> " + after);
  }

  @Test
  void aFailedRestoreWithXmlPutsThePreviousDefinitionBack() throws Exception {
    startAndCount(2);
    Path file = work.resolve("xml.save");
    virtLxc("save", name, file.toString()).ok();
    Virsh.awaitState(name, "shut off");
    String before = Virsh.run("dumpxml", "--inactive", name).ok().out();
    Path missing = work.resolve("no-such-root");
    Path other = work.resolve("other.xml");
    Files.writeString(other, Files.readString(xml).replace(rootfs.toString(), missing.toString()));

    Run r = virtLxc("restore", file.toString(), "--xml", other.toString());
    System.out.println("restore --xml with a missing root: " + r.err().strip());
    assertEquals(1, r.status());
    assertTrue(r.err().contains(missing.toString()) && r.err().contains("the save image is kept"), r.err());
    assertEquals(before, Virsh.run("dumpxml", "--inactive", name).ok().out(), "the previous definition is back");
    assertEquals(java.util.Optional.empty(), PendingRestore.find(uuid), "no pending restore left");

    virtLxc("restore", file.toString()).ok();
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
  }

  /**
   * A domain in a named network namespace ({@code <lxc:sharenet type='netns'>}) with a second console that a process
   * holds open is restored into that same namespace, and the second console works again through libvirt's new pty.
   */
  @Test
  void aDomainInASharedNetnsWithTwoConsolesIsRestored() throws Exception {
    String netns = "vlxct-saveapi-" + name.substring(name.length() - 8);
    String libvirtd = Files.readString(Path.of("/run/libvirtd.pid")).strip();
    // libvirtd runs in a private mount namespace: the netns must be mounted where it looks for it
    HostNetwork.run("nsenter", "-t", libvirtd, "-m", "ip", "netns", "add", netns).ok();
    try {
      String inode = HostNetwork.run("nsenter", "-t", libvirtd, "-m", "stat", "-L", "-c", "%i", "/run/netns/" + netns)
          .ok().strip();
      String tty2 = "(while read l; do echo \"echo:$l\"; done) &lt;/dev/tty2 &gt;/dev/tty2 2&gt;&amp;1 &amp; ";
      Files.writeString(xml, Files.readString(xml)
          .replace("<domain type='lxc'>", "<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'>")
          .replace("<initarg>-c</initarg><initarg>", "<initarg>-c</initarg><initarg>" + tty2)
          .replace("<console type='pty'/>", "<console type='pty'/>\n    <console type='pty'/>")
          .replace("</devices>\n", "</devices>\n  <lxc:namespace><lxc:sharenet type='netns' value='" + netns
              + "'/></lxc:namespace>\n"));
      Virsh.run("define", xml.toString()).ok();
      startAndCount(2);
      assertEquals(inode, Virsh.inside(name, "/bin/stat", "-L", "-c", "%i", "/proc/1/ns/net").strip());
      Path file = work.resolve("shared.save");
      virtLxc("save", name, file.toString()).ok();
      Virsh.awaitState(name, "shut off");
      int saved = Counter.current(rootfs);

      virtLxc("restore", file.toString()).ok();
      int after = Counter.awaitAbove(rootfs, saved, Duration.ofSeconds(15));
      assertTrue(after <= saved + 5, saved + " -> " + after);
      assertEquals(inode, Virsh.inside(name, "/bin/stat", "-L", "-c", "%i", "/proc/1/ns/net").strip(),
          "restored into the same named netns");
      String seen = VirshConsole.exchange(name, "console1", "hello");
      assertTrue(seen.contains("echo:hello"), "the reader on /dev/tty2 answers through console1 after restore:\n"
          + seen);
    } finally {
      HostNetwork.run("nsenter", "-t", libvirtd, "-m", "ip", "netns", "del", netns);
    }
  }

  @Test
  void restoreOverARunningDomainIsRefused() throws Exception {
    long ctl = startAndCount(2);
    Path file = work.resolve("live.save");
    virtLxc("save", name, file.toString(), "--leave-running").ok();
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    Run r = virtLxc("restore", file.toString());
    assertEquals(1, r.status());
    assertEquals("error: Failed to restore domain from " + file + "\nerror: unable to restore domain " + name
        + " from " + file + ": domain " + name + " is already running\n", r.err());
    assertEquals(ctl, Virsh.controllerPid(name), "the running domain is left alone");
    assertEquals(java.util.Optional.empty(), PendingRestore.find(uuid));
  }

  @Test
  void aSecondSaveOfTheSameDomainFailsAtOnce() throws Exception {
    startAndCount(2);
    // The first save's CRIU waits in its pre-dump action script, with the job lock held.
    Path started = work.resolve("first-started");
    Path script = work.resolve("slow.sh");
    Files.writeString(script, "#!/bin/sh\n[ \"$CRTOOLS_SCRIPT_ACTION\" = pre-dump ] || exit 0\ntouch " + started
        + "\nsleep 4\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path first = work.resolve("first.save");
    CompletableFuture<SaveResult> job = CompletableFuture.supplyAsync(() -> {
      try {
        return checkpoints.save(conn.domainLookupByName(name), first, SaveOptions.defaults()
            .withExtraCriuArgs(List.of("--action-script", script.toString())));
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
    for (int i = 0; i < 100 && !Files.exists(started); i++) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(started), "the first save is dumping");
    long t0 = System.nanoTime();
    Run second = virtLxc("save", name, work.resolve("second.save").toString());
    System.out.println("second save answered in " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + second.err());
    assertEquals(1, second.status());
    assertTrue(second.err().contains("operation in progress"), second.err());
    assertFalse(job.isDone(), "the second save did not wait for the first");
    assertFalse(Files.exists(work.resolve("second.save")));
    SaveResult r = job.get();
    assertEquals(first, r.target());
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    assertThrows(CheckpointException.class, () -> checkpoints.save(conn.domainLookupByName(name),
        work.resolve("third.save"), SaveOptions.defaults().withCompression(Compression.ZSTD)),
        "a shut off domain cannot be saved");
  }

  /** The freezer state file of the domain's machine cgroup. */
  private Path freezerStateFile() throws IOException {
    long ctl = Virsh.controllerPid(name);
    return Path.of("/sys/fs/cgroup/freezer/machine/lxc-" + ctl + "-" + name + ".libvirt-lxc/freezer.state");
  }

  /** The state letters (/proc/PID/stat) of the domain's init and its descendants. */
  private String processStates(Domain dom) throws Exception {
    long init = TestController.onlyChild(Virsh.controllerPid(name));
    StringBuilder sb = new StringBuilder();
    for (long pid : Stream.concat(Stream.of(init), ProcessHandle.of(init).orElseThrow().descendants()
        .map(ProcessHandle::pid)).toList()) {
      String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
      sb.append(pid).append(':').append(st.charAt(st.lastIndexOf(')') + 2)).append(' ');
    }
    return sb.toString().strip();
  }

  /** Runs {@code virt-lxc ARGS} in-process, as the installed command does. */
  private Run virtLxc(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  private long startAndCount(int atLeast) throws Exception {
    Virsh.run("start", name).ok();
    Counter.awaitAbove(rootfs, atLeast - 1, Duration.ofSeconds(15));
    return Virsh.controllerPid(name);
  }

  /**
   * The controller removes a completed pending restore (marker first, then its images) right after it has told
   * libvirtd that the domain runs, which may be just after {@code virsh start} returned.
   */
  private static boolean awaitGone(Path path) throws InterruptedException {
    for (int i = 0; i < 50 && Files.exists(path); i++) {
      Thread.sleep(100);
    }
    return !Files.exists(path);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  /**
   * An uncompressed save image whose manifest claims another format version, with the manifest's own checksum member
   * updated to match (so that only the version is wrong).
   */
  private static byte[] withFormatVersion(byte[] image, int version) throws Exception {
    byte[] out = image.clone();
    int size = Integer.parseInt(new String(out, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
    String json = new String(out, 512, size, StandardCharsets.ISO_8859_1);
    Matcher m = Pattern.compile("\"formatVersion\"\\s*:\\s*(\\d)").matcher(json);
    assertTrue(m.find(), "format version in the manifest: " + json);
    out[512 + m.start(1)] = (byte) ('0' + version);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    String oldSum = HexFormat.of().formatHex(sha.digest(java.util.Arrays.copyOfRange(image, 512, 512 + size)));
    String newSum = HexFormat.of().formatHex(sha.digest(java.util.Arrays.copyOfRange(out, 512, 512 + size)));
    int second = 512 + (size + 511) / 512 * 512;
    String sumMember = new String(out, second + 512, 200, StandardCharsets.ISO_8859_1);
    int at = sumMember.indexOf(oldSum);
    assertTrue(at >= 0, "manifest checksum member holds the manifest's sum");
    byte[] sum = newSum.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(sum, 0, out, second + 512 + at, sum.length);
    assertNotEquals(-1, at);
    return out;
  }

  /**
   * Private directories a restore unpacks into ({@code .unpacking-*}) that are there, except {@code others} (another
   * test run's, present before this test's restore).
   */
  private static List<Path> unpackingLeftovers(List<Path> others) throws Exception {
    List<Path> found = new java.util.ArrayList<>();
    for (Path dir : List.of(PendingRestore.root(), PendingRestore.fastRoot())) {
      if (Files.isDirectory(dir)) {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
          s.filter(p -> p.getFileName().toString().startsWith(".unpacking-") && !others.contains(p)).forEach(found::add);
        }
      }
    }
    return found;
  }
}
