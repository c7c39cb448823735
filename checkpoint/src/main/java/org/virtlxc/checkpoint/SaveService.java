package org.virtlxc.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.image.Compatibility;
import org.virtlxc.checkpoint.image.CompatibilityReport;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.image.CriuImageServer;
import org.virtlxc.checkpoint.image.ExtractedImage;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.MemberSource;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.checkpoint.image.SaveImageReader;
import org.virtlxc.checkpoint.image.SaveImageWriter;
import org.virtlxc.checkpoint.image.StreamedImageFile;
import org.virtlxc.checkpoint.image.VerifiedImage;
import org.virtlxc.checkpoint.image.WriteProgress;
import org.virtlxc.checkpoint.job.DomainJob;
import org.virtlxc.checkpoint.job.JobAbortedException;
import org.virtlxc.checkpoint.job.JobOperation;
import org.virtlxc.checkpoint.job.TreeMemory;
import org.virtlxc.domainxml.DomainXml;

/**
 * Save, managed save and the file side of restore: what {@code virt-lxc save|restore|managedsave} do below libvirt.
 *
 * <p><b>Nothing is lost on failure.</b> A save dumps with CRIU's {@code --leave-stopped}: after the dump every task of
 * the container sits in SIGSTOP, so nothing runs that the checkpoint would not show. Only once the image is durable
 * (written to a temporary file next to FILE, fsynced, renamed over FILE) is the stopped tree killed, so that libvirt
 * shows the domain shut off. If anything fails before the rename (CRIU, a full disk, a bad path, an interrupt) the
 * tree gets SIGCONT and runs on exactly where it stopped, and FILE, if it existed, is untouched. CRIU's own
 * kill-after-dump was not used because a failed image write after it would lose the domain; a leave-running dump
 * followed by a stop was not used because the container would run on between dump and stop, changing its disk behind
 * the image's back.
 */
public final class SaveService {
  private static final Logger LOG = LogManager.getLogger(SaveService.class);
  /** Files of a checkpoint directory that are not CRIU's images: they travel as extras, or not at all. */
  private static final Set<String> NOT_CRIU = Set.of(CheckpointManifest.FILE, CheckpointManifest.DOMAIN_XML,
      "dump.log", "criu.out", CheckpointManifest.FILE + ".tmp");
  /** Names of the private directories {@link #unpack} writes into, below {@link PendingRestore#root()}. */
  static final String UNPACKING_PREFIX = ".unpacking-";
  /** System property: false has restores unpack CRIU's memory pages instead of reading them in the save image. */
  public static final String PAGES_IN_PLACE = "virtlxc.restore.pages-in-place";
  /** Bytes per memory page in CRIU's pages images (x86_64 and the arm64 kernels Debian ships). */
  private static final int PAGE_SIZE = 4096;

  private final Checkpointer checkpointer;

  public SaveService(Checkpointer checkpointer) {
    this.checkpointer = checkpointer;
  }

  /** With {@link Checkpointer#create()}. */
  public static SaveService create() {
    return new SaveService(Checkpointer.create());
  }

  /**
   * Saves the running domain {@code domainName} to the save image {@code file}. Without
   * {@link SaveOptions#leaveRunning()} the domain is shut off once the image is durable.
   */
  public SaveResult save(String domainName, Path file, SaveOptions options) throws CheckpointException {
    long t0 = System.nanoTime();
    Path target = file.toAbsolutePath().normalize();
    String what = "unable to save domain " + domainName + " to " + target;
    if (Files.isDirectory(target)) {
      throw new CheckpointException(what + ": it is a directory");
    }
    try (DomainJobLock lock = DomainJobLock.acquire(domainName, "save");
        DomainJob job = DomainJob.begin(domainName, JobOperation.SAVE)) {
      try {
        SaveResult result = saveLocked(domainName, target, options, job, what, t0);
        job.succeeded();
        return result;
      } catch (CheckpointException e) {
        job.failed(e.getMessage());
        throw e;
      }
    }
  }

  private SaveResult saveLocked(String domainName, Path target, SaveOptions options, DomainJob job, String what,
      long t0) throws CheckpointException {
    RunningDomain running = RunningDomain.find(domainName, checkpointer.stateDir());
    Path work;
    try {
      work = DumpScratch.create(target.getParent(), "." + target.getFileName() + ".dump-",
          TreeMemory.anonymousBytes(running.initPid()));
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to create a work directory in " + target.getParent() + ": "
          + e.getMessage(), e);
    }
    try {
      options.listener().phase(SaveListener.Phase.DUMP);
      if (streamsPages(options)) {
        return saveStreamed(domainName, target, options, job, what, t0, running, work);
      }
      DumpResult dump = checkpointer.dumpLocked(domainName, work.resolve("criu"), dumpOptions(options), job);
      StoppedTree tree = new StoppedTree(domainName, running.controllerPid(), running.initPid());
      Manifest written;
      try {
        options.listener().phase(SaveListener.Phase.WRITE_IMAGE);
        written = writeImage(target, dump, running, options, job);
      } catch (IOException | RuntimeException e) {
        throw keepRunning(what, tree, options, e);
      }
      return saved(domainName, target, options, tree, dump, written, t0);
    } finally {
      deleteQuietly(work);
    }
  }

  /**
   * Whether a save streams CRIU's page images into the image file as CRIU writes them ({@link StreamedImageFile}):
   * for an uncompressed image, unless {@code -Dvirtlxc.save.stream=false}.
   */
  private static boolean streamsPages(SaveOptions options) {
    return options.compression() == Compression.NONE
        && !"false".equals(System.getProperty("virtlxc.save.stream"));
  }

  /**
   * {@link #save} of an uncompressed image with CRIU's pages written straight into it (the image's start is written
   * last); everything else as the save through CRIU's images directory.
   */
  private SaveResult saveStreamed(String domainName, Path target, SaveOptions options, DomainJob job, String what,
      long t0, RunningDomain running, Path work) throws CheckpointException {
    String xml = options.domainXml() != null ? options.domainXml() : DomainXml.format(running.domain());
    int processes = processCount(running.initPid());
    StreamedImageFile image;
    try {
      image = StreamedImageFile.create(target, xml, processes);
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to create a temporary file next to it: " + e.getMessage(), e);
    }
    try (image) {
      int fifos = Math.min(4096, processes + 16); // one page image per process, a few for shared memory
      DumpResult dump = checkpointer.dumpLocked(domainName, work.resolve("criu"), dumpOptions(options), job,
          new DumpHook() {
            @Override
            public void beforeCriu(Path imageDir) throws IOException {
              image.streamPages(imageDir, fifos);
            }

            @Override
            public void criuEnded() {
              image.criuEnded();
            }

            @Override
            public long pageBytesElsewhere() {
              return image.pageBytesStreamed();
            }
          });
      StoppedTree tree = new StoppedTree(domainName, running.controllerPid(), running.initPid());
      Manifest written;
      try {
        options.listener().phase(SaveListener.Phase.WRITE_IMAGE);
        List<MemberSource> streamed = image.streamedMembers();
        ImageParts parts = imageParts(dump, running, options, streamed);
        written = image.finish(parts.manifest(), parts.members(), progress(options, job));
      } catch (IOException e) {
        throw keepRunning(what, tree, options, new IOException("unable to write save image " + target + ": "
            + e.getMessage(), e));
      } catch (RuntimeException e) {
        throw keepRunning(what, tree, options, e);
      }
      return saved(domainName, target, options, tree, dump, written, t0);
    }
  }

  /**
   * Processes in the tree of {@code initPid}: CRIU writes a page image for each (and for shared memory segments). A
   * page image past the FIFOs made for them is written as a plain file and copied into the image after the dump.
   */
  private static int processCount(long initPid) {
    return (int) Math.min(100_000, ProcessHandle.of(initPid).map(p -> 1 + p.descendants().count()).orElse(1L));
  }

  private SaveResult saved(String domainName, Path target, SaveOptions options, StoppedTree tree, DumpResult dump,
      Manifest written, long t0) throws CheckpointException {
    if (!options.leaveRunning()) {
      options.listener().phase(SaveListener.Phase.STOP);
      tree.kill();
    }
    LOG.info("saved {} to {} ({} payload bytes)", domainName, target, written.payloadBytes());
    return new SaveResult(domainName, target, options.runState(), options.leaveRunning(), dump.criuTime(),
        Duration.ofNanos(System.nanoTime() - t0), written.payloadBytes());
  }

  /**
   * Managed save: dumps the running domain into its pending restore's own directory ({@link
   * PendingRestore#ownedImagesDir}) and marks it, so that the domain's next plain {@code virsh start} restores it (the
   * controller then removes the images). The domain is shut off once the marker is durable; any failure before leaves
   * it running and no marker or images behind.
   */
  public SaveResult managedSave(String domainName, SaveOptions options) throws CheckpointException {
    long t0 = System.nanoTime();
    String what = "unable to save domain " + domainName + " (managed save)";
    if (options.leaveRunning()) {
      throw new IllegalArgumentException("a managed save always stops the domain");
    }
    try (DomainJobLock lock = DomainJobLock.acquire(domainName, "managedsave");
        DomainJob job = DomainJob.begin(domainName, JobOperation.SAVE)) {
      RunningDomain running = RunningDomain.find(domainName, checkpointer.stateDir());
      String uuid = running.domain().uuid();
      Optional<PendingRestore> existing = PendingRestore.find(uuid);
      if (existing.isPresent()) {
        throw new CheckpointException(what + ": it already has a pending restore from " + existing.get().imageDir()
            + " (" + existing.get().marker() + ")");
      }
      Path dir = PendingRestore.ownedImagesDir(uuid);
      deleteOrFail(what, dir); // leftovers of an interrupted job: no marker points at them
      options.listener().phase(SaveListener.Phase.DUMP);
      DumpResult dump = dumpOrClean(what, domainName, dir, options, job);
      StoppedTree tree = new StoppedTree(domainName, running.controllerPid(), running.initPid());
      try {
        PendingRestore.write(dump.manifest(), dir, options.runState().label());
      } catch (IOException | RuntimeException e) {
        deleteQuietly(dir);
        throw keepRunning(what, tree, options, e);
      }
      options.listener().phase(SaveListener.Phase.STOP);
      tree.kill();
      LOG.info("managed save of {} in {}", domainName, dir);
      job.succeeded();
      return new SaveResult(domainName, dir, options.runState(), false, dump.criuTime(),
          Duration.ofNanos(System.nanoTime() - t0), sizeOf(dir));
    }
  }

  /** The domain's managed save (a pending restore owning its images), if it has one. */
  public Optional<PendingRestore> managedSaveOf(String uuid) throws CheckpointException {
    return PendingRestore.find(uuid).filter(PendingRestore::ownsImages);
  }

  /**
   * Removes the pending restore of the domain with {@code uuid} (managedsave-remove): the marker, and its images if it
   * owns them. False if there was none.
   */
  public boolean removeManagedSave(String uuid) throws CheckpointException {
    Optional<PendingRestore> pending = PendingRestore.find(uuid);
    if (pending.isEmpty()) {
      return false;
    }
    try {
      pending.get().discard();
      return true;
    } catch (IOException e) {
      throw new CheckpointException("unable to remove the managed save of " + pending.get().name() + " in "
          + pending.get().marker().getParent() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks the whole save image {@code file} (every checksum, truncation, format version) and whether this host can
   * restore it; touches nothing.
   */
  public VerifiedImage verify(Path file) throws CheckpointException {
    String what = "unable to restore from " + file;
    VerifiedImage v;
    try {
      v = SaveImageReader.verify(file);
    } catch (IOException e) {
      throw new CheckpointException(what + ": " + e.getMessage(), e);
    }
    try {
      CompatibilityReport report = Compatibility.check(v.manifest(), HostFacts.current(checkpointer.criu().binary()));
      report.requireCompatible(file.toString());
      report.warnings().forEach(w -> LOG.warn("save image {}: {}", file, w));
    } catch (IOException e) {
      throw new CheckpointException(what + ": " + e.getMessage(), e);
    }
    return v;
  }

  /**
   * Checks the whole save image {@code file} (every checksum, truncation, format version; whether this host can restore
   * it, from the manifest, before any member is read) and unpacks it in the same single pass into a private directory
   * that nothing points at: below {@link PendingRestore#fastRoot()} (memory) when MemAvailable holds the payload with
   * room to spare, else below {@link PendingRestore#root()}. A bad image leaves nothing behind, and nothing else is
   * touched until {@link #stage(UnpackedImage, RunState)}. Close the result (try-with-resources) to remove the files
   * if they were not staged.
   */
  public UnpackedImage unpack(Path file) throws CheckpointException {
    return unpack(file, SaveListener.NONE);
  }

  /**
   * As {@link #unpack(Path)}, telling {@code listener} how much of the image is unpacked (its progress). The unpack
   * runs as a restore job on the image's domain: {@code virt-lxc domjobinfo} shows its progress, {@code virt-lxc
   * domjobabort} stops it (nothing is left behind; the message starts with "operation aborted").
   */
  public UnpackedImage unpack(Path file, SaveListener listener) throws CheckpointException {
    String what = "unable to restore from " + file;
    Manifest manifest;
    try {
      manifest = SaveImageReader.readManifest(file);
    } catch (IOException e) {
      throw new CheckpointException(what + ": " + e.getMessage(), e);
    }
    try (DomainJob job = DomainJob.begin(manifest.domainName(), JobOperation.RESTORE)) {
      try {
        job.phase("unpacking image");
        UnpackedImage u = unpack(file, manifest, what, p -> {
          job.progress(p.bytesWritten(), p.bytesTotal(), p.pagesWritten() * manifest.pageSize(),
              p.pagesTotal() * manifest.pageSize());
          listener.progress(p);
          job.checkAborted();
        });
        job.succeeded();
        return u;
      } catch (CheckpointException e) {
        job.failed(e.getMessage());
        throw e;
      }
    }
  }

  private UnpackedImage unpack(Path file, Manifest manifest, String what, WriteProgress.Listener progress)
      throws CheckpointException {
    boolean pagesInPlace = pagesInPlace(file, manifest);
    long copied = manifest.payloadBytes() - (pagesInPlace ? manifest.pageBytes() : 0);
    Path root = DumpScratch.fitsInMemory(PendingRestore.fastRoot(), Math.max(0, copied)) ? PendingRestore.fastRoot()
        : PendingRestore.root();
    Path dir;
    try {
      Files.createDirectories(root);
      dir = Files.createTempDirectory(root, UNPACKING_PREFIX);
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to create a directory in " + root + ": " + e.getMessage(), e);
    }
    try {
      SaveImageReader.ManifestCheck check = m -> {
        CompatibilityReport report = Compatibility.check(m, HostFacts.current(checkpointer.criu().binary()));
        report.requireCompatible(file.toString());
        report.warnings().forEach(w -> LOG.warn("save image {}: {}", file, w));
      };
      ExtractedImage x = pagesInPlace ? SaveImageReader.extractLeavingPages(file, dir, check, progress)
          : SaveImageReader.extract(file, dir, check, progress);
      x.inPlace().ifPresent(p -> LOG.info("save image {}: {} page images left in place for CRIU", file,
          p.files().size()));
      return new UnpackedImage(file, x);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(dir);
      Optional<Throwable> abort = abortIn(e);
      if (abort.isPresent()) {
        throw new CheckpointException(abort.get().getMessage(), abort.get());
      }
      throw new CheckpointException(what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether a restore of {@code file} reads CRIU's memory pages where they lie in it (uncompressed images; see
   * {@link CriuImageServer}) instead of a copy unpacked into memory or onto disk: when libvirtd (whose mount namespace
   * the controller shares) sees the file too. The system property {@value #PAGES_IN_PLACE} set to false turns it off.
   */
  private static boolean pagesInPlace(Path file, Manifest manifest) {
    if ("false".equalsIgnoreCase(System.getProperty(PAGES_IN_PLACE, "true"))) {
      return false;
    }
    try {
      if (SaveImageReader.compressionOf(file) != Compression.NONE || !Files.isRegularFile(file)) {
        return false;
      }
    } catch (IOException e) {
      return false; // the unpack says what is wrong with it
    }
    String uuid = manifest.domainUuid();
    if (!CriuImageServer.fits(PendingRestore.ownedFastImagesDir(uuid).resolve("criu"))
        || !CriuImageServer.fits(PendingRestore.ownedImagesDir(uuid).resolve("criu"))) {
      return false;
    }
    try {
      if (!LibvirtdMountView.sees(file.toRealPath())) {
        LOG.info("save image {} is not the same file in libvirtd's mount namespace (mounted after libvirtd started?):"
            + " its page images are unpacked", file);
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    return true;
  }

  private static Optional<Throwable> abortIn(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof JobAbortedException) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * Makes the image {@link #unpack}ed from its save image the domain's pending restore, so that its next start restores
   * it (and then removes it): a rename, no copy. For {@link RunState#PAUSED} the restored tree is left stopped, as with
   * {@link #stage(Path, Manifest, RunState)}. On failure the unpacked files stay with {@code image} (its close removes
   * them).
   */
  public PendingRestore stage(UnpackedImage image, RunState runState) throws CheckpointException {
    Manifest manifest = image.manifest();
    String what = "unable to restore domain " + manifest.domainName() + " from " + image.file();
    String uuid = requireNoPending(what, manifest.domainUuid());
    Path unpacked = image.extracted().directory();
    Path dir = unpacked.startsWith(PendingRestore.fastRoot()) ? PendingRestore.ownedFastImagesDir(uuid)
        : PendingRestore.ownedImagesDir(uuid);
    deleteOrFail(what, dir);
    try {
      Files.createDirectories(dir.getParent());
      Files.move(unpacked, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to move " + unpacked + " to " + dir + ": " + e.getMessage(), e);
    }
    image.staged();
    return markStaged(what, new ExtractedImage(manifest, image.verified(), dir, image.extracted().inPlace()),
        runState);
  }

  /**
   * Unpacks the verified save image {@code file} into the domain's pending restore directory and marks it, so that
   * the domain's next start restores it (and then removes it). On failure nothing is left in that directory. For
   * {@link RunState#PAUSED} the restored tree is left stopped: the caller pauses the domain through libvirt, then
   * calls {@link #continuePaused}. ({@link #unpack} and {@link #stage(UnpackedImage, RunState)} do the same reading
   * the image once.)
   */
  public PendingRestore stage(Path file, Manifest manifest, RunState runState) throws CheckpointException {
    String uuid = manifest.domainUuid();
    String what = "unable to restore domain " + manifest.domainName() + " from " + file;
    Path dir = PendingRestore.ownedImagesDir(requireNoPending(what, uuid));
    deleteOrFail(what, dir);
    ExtractedImage x;
    try {
      x = SaveImageReader.extract(file, dir);
    } catch (IOException e) {
      throw new CheckpointException(what + ": " + e.getMessage(), e);
    }
    if (!x.manifest().domainUuid().equalsIgnoreCase(uuid)) {
      deleteQuietly(dir);
      throw new CheckpointException(what + ": the image changed since it was verified");
    }
    return markStaged(what, x, runState);
  }

  private static String requireNoPending(String what, String uuid) throws CheckpointException {
    Optional<PendingRestore> existing = PendingRestore.find(uuid);
    if (existing.isPresent()) {
      throw new CheckpointException(what + ": it already has a pending restore from " + existing.get().imageDir()
          + " (remove it first: virt-lxc managedsave-remove " + existing.get().name() + ")");
    }
    return uuid;
  }

  /** Writes the pending restore marker for images unpacked into {@code x}'s directory; removes them on failure. */
  private static PendingRestore markStaged(String what, ExtractedImage x, RunState runState)
      throws CheckpointException {
    try {
      Path criuDir = x.criuDir();
      Files.copy(x.extra(CheckpointManifest.FILE), criuDir.resolve(CheckpointManifest.FILE),
          StandardCopyOption.REPLACE_EXISTING);
      if (x.inPlace().isPresent()) {
        x.inPlace().get().write(criuDir);
      }
      CheckpointManifest cm = CheckpointManifest.read(criuDir);
      return PendingRestore.write(cm, criuDir, runState.label(), runState == RunState.PAUSED);
    } catch (IOException | CheckpointException | RuntimeException e) {
      deleteQuietly(x.directory());
      if (e instanceof CheckpointException c) {
        throw c;
      }
      throw new CheckpointException(what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Migration, destination side: unpacks the save image read from {@code in} (to its end; {@code source} names it in
   * errors), which must hold the domain with {@code uuid}, into the domain's pending restore directory and marks it
   * with the restored tree left stopped (the caller starts the domain, then {@link #continuePaused continues} it once
   * the source has given it up). The image is verified as it is unpacked; on any failure nothing is left behind.
   * CRIU restores from files, so the unpacked images are the one copy on disk here; they are removed once the domain
   * has been restored.
   */
  public PendingRestore stage(InputStream in, String source, String uuid, String domainName)
      throws CheckpointException {
    String what = "unable to restore domain " + domainName + " from " + source;
    Optional<PendingRestore> existing = PendingRestore.find(uuid);
    if (existing.isPresent()) {
      throw new CheckpointException(what + ": it already has a pending restore from " + existing.get().imageDir());
    }
    Path dir = PendingRestore.ownedImagesDir(uuid);
    deleteOrFail(what, dir);
    try {
      ExtractedImage x = SaveImageReader.extract(in, source, dir);
      return markExtracted(x, uuid, what + ": the image holds domain " + x.manifest().domainName() + " ("
          + x.manifest().domainUuid() + ")", RunState.RUNNING.label(), true);
    } catch (IOException | CheckpointException | RuntimeException e) {
      deleteQuietly(dir);
      try {
        Files.deleteIfExists(dir.getParent()); // the domain's directory, unless something else lives there
      } catch (IOException notEmpty) {
        LOG.debug("keeping {}: {}", dir.getParent(), notEmpty.toString());
      }
      if (e instanceof CheckpointException c) {
        throw c;
      }
      throw new CheckpointException(what + ": " + e.getMessage(), e);
    }
  }

  private static PendingRestore markExtracted(ExtractedImage x, String uuid, String mismatch, String runState,
      boolean leaveStopped) throws IOException, CheckpointException {
    if (!x.manifest().domainUuid().equalsIgnoreCase(uuid)) {
      throw new CheckpointException(mismatch);
    }
    Path criuDir = x.criuDir();
    Files.copy(x.extra(CheckpointManifest.FILE), criuDir.resolve(CheckpointManifest.FILE),
        StandardCopyOption.REPLACE_EXISTING);
    CheckpointManifest cm = CheckpointManifest.read(criuDir);
    return PendingRestore.write(cm, criuDir, runState, leaveStopped);
  }

  /**
   * Migration, source side: as {@link #save}, but the image goes to {@code target}'s stream and the receiver decides
   * what becomes of the dumped, stopped tree ({@link StreamedSave#imageSent}): it is killed only when the receiver
   * runs the domain; it runs on when the dump, the image or the receiver failed; it stays stopped when the receiver's
   * state is unknown. The caller holds the domain's {@link DomainJobLock} and runs {@code job}. CRIU dumps into a work
   * directory below {@code workParent} (CRIU writes files), removed at the end; the image itself is never a file here.
   */
  public SaveResult saveToStream(String domainName, Path workParent, StreamedSave target, SaveOptions options,
      DomainJob job) throws CheckpointException {
    long t0 = System.nanoTime();
    String what = "unable to migrate domain " + domainName;
    if (options.leaveRunning()) {
      throw new IllegalArgumentException("a streamed save stops the domain");
    }
    RunningDomain running = RunningDomain.find(domainName, checkpointer.stateDir());
    Path work;
    try {
      Files.createDirectories(workParent);
      work = Files.createTempDirectory(workParent, "." + domainName + ".dump-");
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to create a work directory in " + workParent + ": "
          + e.getMessage(), e);
    }
    try {
      options.listener().phase(SaveListener.Phase.DUMP);
      DumpResult dump;
      try {
        dump = checkpointer.dumpLocked(domainName, work.resolve("criu"), dumpOptions(options), job);
      } catch (CheckpointException e) {
        target.imageFailed(e.getMessage());
        throw e;
      }
      StoppedTree tree = new StoppedTree(domainName, running.controllerPid(), running.initPid());
      Manifest written;
      try {
        options.listener().phase(SaveListener.Phase.WRITE_IMAGE);
        ImageParts parts = imageParts(dump, running, options);
        try (OutputStream out = target.imageStream()) {
          written = imageWriter(options, job).writeTo(out, parts.manifest(), parts.members());
        }
      } catch (IOException | RuntimeException e) {
        target.imageFailed(String.valueOf(e.getMessage()));
        throw keepRunning(what, tree, options, e);
      }
      StreamedSave.Decision decision;
      try {
        decision = target.imageSent();
      } catch (IOException | RuntimeException e) {
        decision = StreamedSave.Decision.resume(e.getMessage());
      }
      switch (decision.outcome()) {
        case KILL -> {
          options.listener().phase(SaveListener.Phase.STOP);
          tree.kill();
        }
        case RESUME -> throw keepRunning(what, tree, options, new IOException(decision.reason()));
        case KEEP_STOPPED -> throw new CheckpointException(what + ": " + decision.reason() + "; its processes stay"
            + " stopped here (init " + running.initPid() + "): if the domain does not run there, continue them here"
            + " with kill -CONT, else destroy it here");
        default -> throw new IllegalStateException(decision.toString());
      }
      LOG.info("streamed {} ({} payload bytes)", domainName, written.payloadBytes());
      return new SaveResult(domainName, null, options.runState(), false, dump.criuTime(),
          Duration.ofNanos(System.nanoTime() - t0), written.payloadBytes());
    } finally {
      deleteQuietly(work);
    }
  }

  /**
   * Paused restore, last step: the domain was restored with its tree stopped (CRIU {@code --leave-stopped}) and then
   * paused by libvirt (its freezer cgroup frozen). SIGCONT now ends the stop: the processes stay frozen, and run on
   * only when libvirt resumes the domain. So nothing of the container executes between the restore and the resume.
   */
  public void continuePaused(String domainName) throws CheckpointException {
    new StoppedTree(domainName, controllerPid(domainName), restoredInit(domainName)).resume();
  }

  private long controllerPid(String domainName) throws CheckpointException {
    Path pidFile = checkpointer.stateDir().resolve(domainName + ".pid");
    try {
      return Long.parseLong(Files.readString(pidFile).strip());
    } catch (IOException | NumberFormatException e) {
      throw new CheckpointException("unable to continue the restored domain " + domainName + ": unable to read "
          + pidFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * The restored init: the controller's only child once CRIU (run by the controller through a shell) has ended. Found
   * from the process tree rather than from libvirtd's status file, which gets the new init pid only when the
   * controller's INIT event has been processed, possibly after the start returned.
   */
  private long restoredInit(String domainName) throws CheckpointException {
    long ctl = controllerPid(domainName);
    List<ProcessHandle> children = List.of();
    for (int attempt = 0; attempt < 50; attempt++) {
      children = ProcessHandle.of(ctl).map(p -> p.children().toList()).orElse(List.of());
      if (children.size() == 1) {
        return children.get(0).pid();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CheckpointException("interrupted while waiting for the init of " + domainName, e);
      }
    }
    throw new CheckpointException("unable to continue the restored domain " + domainName + ": its controller " + ctl
        + " has " + children.size() + " child processes instead of the restored init");
  }

  private static DumpOptions dumpOptions(SaveOptions o) {
    return new DumpOptions(o.leaveRunning(), o.timeout(), o.extraCriuArgs(), !o.leaveRunning());
  }

  private DumpResult dumpOrClean(String what, String domainName, Path dir, SaveOptions options, DomainJob job)
      throws CheckpointException {
    try {
      return checkpointer.dumpLocked(domainName, dir, dumpOptions(options), job);
    } catch (CheckpointException e) {
      deleteQuietly(dir);
      throw e;
    }
  }

  private Manifest writeImage(Path target, DumpResult dump, RunningDomain running, SaveOptions options, DomainJob job)
      throws IOException {
    ImageParts parts = imageParts(dump, running, options);
    return imageWriter(options, job).write(target, parts.manifest(), parts.members());
  }

  /** What a save image of {@code dump} holds: its manifest and payload members. */
  record ImageParts(Manifest manifest, List<MemberSource> members) {}

  ImageParts imageParts(DumpResult dump, RunningDomain running, SaveOptions options) throws IOException {
    return imageParts(dump, running, options, List.of());
  }

  /** As {@link #imageParts(DumpResult, RunningDomain, SaveOptions)}, {@code streamed} page images first. */
  private ImageParts imageParts(DumpResult dump, RunningDomain running, SaveOptions options,
      List<MemberSource> streamed) throws IOException {
    Path dir = dump.imageDir();
    String xml = options.domainXml() != null ? options.domainXml()
        : Files.readString(dir.resolve(CheckpointManifest.DOMAIN_XML));
    List<MemberSource> members = new ArrayList<>(streamed);
    int processes = 0;
    long pageBytes = streamed.stream().mapToLong(MemberSource::size).sum();
    for (MemberSource m : MemberSource.criuDirectory(dir)) {
      String base = m.name().substring("criu/".length());
      if (NOT_CRIU.contains(base)) {
        continue;
      }
      members.add(m);
      processes += base.startsWith("core-") ? 1 : 0;
      pageBytes += base.startsWith("pages-") ? m.size() : 0;
    }
    members.add(MemberSource.extra(CheckpointManifest.FILE, dir.resolve(CheckpointManifest.FILE)));
    if (Files.isRegularFile(dir.resolve("dump.log"))) {
      members.add(MemberSource.extra("dump.log", dir.resolve("dump.log")));
    }
    Manifest manifest = Manifest.builder(xml)
        .created(dump.manifest().dumpedAt())
        .runState(options.runState())
        .host(HostFacts.current(checkpointer.criu().binary()))
        .cgroupLimits(CgroupLimits.of(running.initPid()))
        .criuExternals(externalValues(dump.manifest()))
        .processCount(processes)
        .memory(pageBytes / PAGE_SIZE, PAGE_SIZE)
        .build();
    return new ImageParts(manifest, members);
  }

  static SaveImageWriter imageWriter(SaveOptions options, DomainJob job) {
    return SaveImageWriter.create().compression(options.compression()).progress(progress(options, job));
  }

  private static WriteProgress.Listener progress(SaveOptions options, DomainJob job) {
    WriteProgress.Listener toJob = job.writeListener(PAGE_SIZE);
    return p -> {
      toJob.progress(p); // throws JobAbortedException when domjobabort asked: the save then keeps the domain running
      options.listener().progress(p);
    };
  }

  /** The values of the dump's {@code --external} options. */
  private static List<String> externalValues(CheckpointManifest m) {
    List<String> args = m.externals().dumpArgs();
    List<String> values = new ArrayList<>();
    for (int i = 0; i + 1 < args.size(); i += 2) {
      values.add(args.get(i + 1));
    }
    return values;
  }

  /** The image could not be made durable: the stopped tree runs on, and the error says so. */
  private static CheckpointException keepRunning(String what, StoppedTree tree, SaveOptions options, Exception cause) {
    CheckpointException e = new CheckpointException(what + " (it keeps running): " + cause.getMessage(), cause);
    if (!options.leaveRunning()) {
      try {
        tree.resume();
      } catch (CheckpointException r) {
        e = new CheckpointException(what + ": " + cause.getMessage() + "; and the domain's processes stay stopped: "
            + r.getMessage(), cause);
      }
    }
    return e;
  }

  private static void deleteOrFail(String what, Path dir) throws CheckpointException {
    try {
      Tree.delete(dir);
    } catch (IOException e) {
      throw new CheckpointException(what + ": unable to remove the leftover " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      Tree.delete(dir);
    } catch (IOException e) {
      LOG.warn("unable to remove {}: {}", dir, e.getMessage());
    }
  }

  private static long sizeOf(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      return 0;
    }
  }
}
