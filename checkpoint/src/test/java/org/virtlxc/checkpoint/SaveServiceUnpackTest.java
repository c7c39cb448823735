package org.virtlxc.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.checkpoint.criu.ConsoleTty;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.criu.CriuExternals;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.MembersInPlace;
import org.virtlxc.checkpoint.image.MemberSource;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.checkpoint.image.SaveImageWriter;
import org.virtlxc.checkpoint.job.JobRegistry;
import org.virtlxc.checkpoint.job.JobResult;

/**
 * Restore's single pass: {@link SaveService#unpack} checks the whole image while unpacking it into a private directory,
 * {@link SaveService#stage(UnpackedImage, RunState)} renames it into place; a bad image leaves nothing anywhere.
 */
class SaveServiceUnpackTest {
  private static final String UUID = "11111111-2222-3333-4444-666666666666";
  private static final String NAME = "vlxct-stream-unpack";

  @TempDir Path work;
  private Path roots;
  private Path root;
  private Path fast;
  private String oldRoot;
  private String oldFast;
  private String oldJobs;
  private String oldPidFiles;
  private final SaveService service = new SaveService(new Checkpointer(Criu.fromSystemProperty(),
      Path.of("/nonexistent")));

  @BeforeEach
  void useOwnRestoreRoot() throws Exception {
    // short: a unix socket path in the images directory must fit in 107 bytes for the pages to stay in place
    roots = Files.createDirectory(Path.of("/tmp/vlxct-unp-" + Long.toString(System.nanoTime() % 1_000_000, 36)));
    root = Files.createDirectory(roots.resolve("restore"));
    fast = roots.resolve("fast"); // stands for /dev/shm/virt-lxc-restore: created on demand
    oldRoot = System.getProperty("virtlxc.restore.dir");
    oldFast = System.getProperty("virtlxc.restore.fastdir");
    System.setProperty("virtlxc.restore.dir", root.toString());
    System.setProperty("virtlxc.restore.fastdir", fast.toString());
    oldPidFiles = System.getProperty(LibvirtdMountView.PID_FILES_PROPERTY);
    System.setProperty(LibvirtdMountView.PID_FILES_PROPERTY, work.resolve("no-libvirtd.pid").toString());
    oldJobs = System.getProperty("virtlxc.jobs.dir");
    System.setProperty("virtlxc.jobs.dir", Files.createDirectory(work.resolve("jobs")).toString());
  }

  @AfterEach
  void restoreRoot() throws Exception {
    Tree.delete(roots);
    reset("virtlxc.restore.dir", oldRoot);
    reset("virtlxc.restore.fastdir", oldFast);
    reset("virtlxc.jobs.dir", oldJobs);
    reset(LibvirtdMountView.PID_FILES_PROPERTY, oldPidFiles);
  }

  private static void reset(String property, String old) {
    if (old == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, old);
    }
  }

  @Test
  void unpacksOnceAndStagesByRenaming() throws Exception {
    Path image = writeImage();
    PendingRestore pending;
    try (UnpackedImage u = service.unpack(image)) {
      assertEquals(UUID, u.manifest().domainUuid());
      assertEquals(List.of(), pendingDirs(), "nothing pending before stage");
      pending = service.stage(u, RunState.RUNNING);
    }
    // a few MiB always fit in this host's memory: unpacked into the fast (tmpfs) root
    assertEquals(PendingRestore.ownedFastImagesDir(UUID).resolve("criu"), pending.imageDir());
    assertTrue(pending.ownsImages());
    assertTrue(Files.isRegularFile(root.resolve(UUID).resolve("pending.properties")), "the marker stays on disk");
    assertFalse(Files.exists(pending.imageDir().resolve("pages-1.img")), "the page image stays in the save image");
    MembersInPlace inPlace = MembersInPlace.read(pending.imageDir()).orElseThrow();
    assertEquals(image.toRealPath(), inPlace.image());
    MembersInPlace.Region r = inPlace.files().get("pages-1.img");
    byte[] region = new byte[Math.toIntExact(r.size())];
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(image.toFile(), "r")) {
      f.seek(r.offset());
      f.readFully(region);
    }
    assertArrayEquals(Files.readAllBytes(work.resolve("criu/pages-1.img")), region, "where the record says");
    assertArrayEquals(Files.readAllBytes(work.resolve("criu/inventory.img")),
        Files.readAllBytes(pending.imageDir().resolve("inventory.img")), "the rest unpacked as written");
    assertTrue(Files.isRegularFile(pending.imageDir().resolve(CheckpointManifest.FILE)));
    assertEquals(Optional.of(pending.marker()), PendingRestore.find(UUID).map(PendingRestore::marker));
    assertEquals(List.of(), unpackingDirs(), "the private directory was renamed, not copied");
    // as the controller does after the restore: before its last handshake byte to libvirtd, quickly...
    Optional<Path> spent = PendingRestore.find(UUID).orElseThrow().retire();
    assertEquals(Optional.empty(), PendingRestore.find(UUID), "nothing pending once retired");
    assertFalse(Files.exists(pending.imageDir()), "the images are moved aside at once");
    assertFalse(Files.exists(root.resolve(UUID)), "the marker's directory is removed with it");
    assertTrue(Files.isDirectory(spent.orElseThrow()), spent.toString());
    assertEquals(fast.resolve(UUID), spent.get().getParent());
    PendingRestore.deleteSpent(spent.get()); // ...then at leisure
    assertFalse(Files.exists(fast.resolve(UUID)), "the unpacked images are removed");
  }

  /** Images moved aside by controllers that ended before deleting them go at the next sweep, once old enough. */
  @Test
  void staleSpentImagesOfAnyDomainAreSwept() throws Exception {
    long now = System.currentTimeMillis();
    Path old = Files.createDirectories(fast.resolve(UUID).resolve("images.spent-" + (now - 3_600_000)).resolve("criu"));
    Files.write(old.resolve("pages-1.img"), new byte[4096]);
    Path oldOnDisk = Files.createDirectories(root.resolve("22222222-2222-3333-4444-666666666666")
        .resolve("images.spent-" + (now - 700_000)));
    Path recent = Files.createDirectories(fast.resolve("33333333-2222-3333-4444-666666666666")
        .resolve("images.spent-" + now));
    Path notOurs = Files.createDirectories(fast.resolve(UUID).resolve("images.spent-x"));

    assertEquals(2, PendingRestore.sweepSpent(java.time.Duration.ofMinutes(10)));
    assertFalse(Files.exists(old.getParent()), "an hour old: deleted");
    assertFalse(Files.exists(oldOnDisk), "on disk too");
    assertFalse(Files.exists(oldOnDisk.getParent()), "with its empty directory");
    assertTrue(Files.isDirectory(recent), "a restore may be deleting it right now: kept");
    assertTrue(Files.isDirectory(notOurs), "a name that is not ours: kept");
    assertEquals(0, PendingRestore.sweepSpent(java.time.Duration.ofMinutes(10)));
  }

  @Test
  void unpackReportsProgressUpTo100Percent() throws Exception {
    Path image = writeImage();
    for (boolean pagesInPlace : List.of(false, true)) {
      System.setProperty(SaveService.PAGES_IN_PLACE, Boolean.toString(pagesInPlace));
      List<Integer> percents = new ArrayList<>();
      SaveListener listener = new SaveListener() {
        @Override
        public void progress(org.virtlxc.checkpoint.image.WriteProgress p) {
          percents.add(p.percent());
        }
      };
      try (UnpackedImage u = service.unpack(image, listener)) {
        if (!pagesInPlace) { // copied: about once per MiB; checked in place: once per 16 MiB
          assertTrue(percents.size() >= 3, "about once per MiB of the 3 MiB of pages: " + percents);
        }
        assertEquals(100, percents.get(percents.size() - 1));
        for (int i = 1; i < percents.size(); i++) {
          assertTrue(percents.get(i) >= percents.get(i - 1), "never backwards: " + percents);
        }
      } finally {
        System.clearProperty(SaveService.PAGES_IN_PLACE);
      }
    }
  }

  @Test
  void withPagesInPlaceOffTheyAreUnpackedToo() throws Exception {
    Path image = writeImage();
    System.setProperty(SaveService.PAGES_IN_PLACE, "false");
    try (UnpackedImage u = service.unpack(image)) {
      PendingRestore pending = service.stage(u, RunState.RUNNING);
      assertArrayEquals(Files.readAllBytes(work.resolve("criu/pages-1.img")),
          Files.readAllBytes(pending.imageDir().resolve("pages-1.img")), "unpacked as written");
      assertEquals(Optional.empty(), MembersInPlace.read(pending.imageDir()));
      pending.discard();
    } finally {
      System.clearProperty(SaveService.PAGES_IN_PLACE);
    }
  }

  @Test
  void domjobabortStopsTheUnpackAndLeavesNothing() throws Exception {
    Path image = writeImage();
    JobRegistry jobs = JobRegistry.system();
    SaveListener abortAtFirstProgress = new SaveListener() {
      @Override
      public void progress(org.virtlxc.checkpoint.image.WriteProgress p) {
        try {
          if (jobs.active(NAME).isPresent() && !Files.exists(jobs.abortFile(NAME))) {
            jobs.requestAbort(NAME); // what virt-lxc domjobabort does from another process
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> service.unpack(image, abortAtFirstProgress));
    assertTrue(e.getMessage().startsWith("operation aborted: restore job of domain " + NAME), e.getMessage());
    assertEquals(List.of(), unpackingDirs());
    assertEquals(Optional.empty(), PendingRestore.find(UUID));
    assertEquals(JobResult.ABORTED, jobs.completed(NAME).orElseThrow().result());
  }

  @Test
  void closingWithoutStagingRemovesTheFiles() throws Exception {
    Path image = writeImage();
    try (UnpackedImage u = service.unpack(image)) {
      assertEquals(1, unpackingDirs().size());
    }
    assertEquals(List.of(), unpackingDirs());
    assertEquals(Optional.empty(), PendingRestore.find(UUID));
  }

  @Test
  void aCorruptImageLeavesNothingBehind() throws Exception {
    Path image = writeImage();
    byte[] b = Files.readAllBytes(image);
    b[b.length / 2] ^= 0x01; // inside the pages member
    Files.write(image, b);
    CheckpointException e = assertThrows(CheckpointException.class, () -> service.unpack(image));
    assertTrue(e.getMessage().startsWith("unable to restore from " + image + ": save image " + image), e.getMessage());
    assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
    assertEquals(List.of(), unpackingDirs());
    assertEquals(Optional.empty(), PendingRestore.find(UUID));
  }

  @Test
  void stageRefusesADomainWithAPendingRestoreAndKeepsItsFiles() throws Exception {
    Path image = writeImage();
    try (UnpackedImage first = service.unpack(image); UnpackedImage second = service.unpack(image)) {
      PendingRestore pending = service.stage(first, RunState.RUNNING);
      CheckpointException e = assertThrows(CheckpointException.class, () -> service.stage(second, RunState.RUNNING));
      assertTrue(e.getMessage().contains("already has a pending restore"), e.getMessage());
      assertTrue(Files.isRegularFile(pending.imageDir().resolve("inventory.img")), "the first one is untouched");
      assertTrue(Files.isRegularFile(pending.imageDir().resolve(MembersInPlace.FILE)), "with its record of places");
      pending.discard();
    }
    assertEquals(List.of(), unpackingDirs());
  }

  private Path writeImage() throws Exception {
    Path criu = Files.createDirectories(work.resolve("criu"));
    byte[] pages = new byte[3 << 20];
    new Random(5).nextBytes(pages);
    Files.write(criu.resolve("pages-1.img"), pages);
    Files.write(criu.resolve("inventory.img"), new byte[] {1, 2, 3});
    Path extras = Files.createDirectories(work.resolve("extras"));
    new CheckpointManifest("vlxct-stream-unpack", UUID, 420, new CriuExternals(new ConsoleTty(0x8804, 0x1a),
        List.of("/dev/console"), List.of()), Instant.parse("2026-11-27T10:49:06Z")).write(extras);
    String xml = "<domain type='lxc'><name>vlxct-stream-unpack</name><uuid>" + UUID + "</uuid>"
        + "<memory unit='KiB'>65536</memory><os><type>exe</type><init>/sbin/init</init></os>"
        + "<devices><console type='pty'/></devices></domain>";
    Manifest m = Manifest.builder(xml).created(Instant.parse("2026-11-27T10:49:06Z"))
        .host(HostFacts.current(Criu.fromSystemProperty().binary())).processCount(1).memory(768, 4096).build();
    List<MemberSource> members = new ArrayList<>(MemberSource.criuDirectory(criu));
    members.add(MemberSource.extra(CheckpointManifest.FILE, extras.resolve(CheckpointManifest.FILE)));
    Path image = work.resolve("vlxct-stream-unpack.save");
    SaveImageWriter.create().write(image, m, members);
    return image;
  }

  private List<Path> unpackingDirs() throws Exception {
    List<Path> found = new ArrayList<>();
    for (Path dir : List.of(root, fast)) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          s.filter(p -> p.getFileName().toString().startsWith(SaveService.UNPACKING_PREFIX)).forEach(found::add);
        }
      }
    }
    return found;
  }

  private List<Path> pendingDirs() throws Exception {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(SaveService.UNPACKING_PREFIX)).toList();
    }
  }
}
