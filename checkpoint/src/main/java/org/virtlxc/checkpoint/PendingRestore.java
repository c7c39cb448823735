package org.virtlxc.checkpoint;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * A restore the controller performs at the domain's next start instead of booting init.
 *
 * <p>On disk: {@code ROOT/<uuid>/pending.properties} (ROOT = {@value #DEFAULT_ROOT}, or the system property
 * {@code virtlxc.restore.dir}) with {@code images=<absolute checkpoint directory>} and {@code domain.name}. The
 * checkpoint directory stays where the dump put it and is never changed by a restore except for CRIU's
 * {@code restore.log}. The marker is removed only after a successful restore; a failed one keeps it (and the images).
 *
 * <p>Images below the marker's own directory ({@code ROOT/<uuid>/images}: a managed save, or a save image unpacked by
 * a restore) or below {@code FAST/<uuid>/images} (FAST = {@value #DEFAULT_FAST_ROOT}, or the system property {@code
 * virtlxc.restore.fastdir}: a save image unpacked into memory by a restore) belong to the pending restore: {@link #completed()} removes them with the marker, as libvirt removes a
 * managed save image once the domain has been restored from it. Images elsewhere are the user's and are kept.
 *
 * @param uuid the domain's UUID (the key: names can be changed, UUIDs cannot)
 * @param name the domain's name when the dump was taken
 * @param imageDir the checkpoint directory (CRIU images, {@link CheckpointManifest#FILE}, domain XML)
 * @param marker the marker file
 */
public record PendingRestore(String uuid, String name, Path imageDir, Path marker) {
  public static final String DEFAULT_ROOT = "/var/lib/virt-lxc/restore";
  /** Where a restore unpacks a save image that fits in memory: a tmpfs the controller sees too. */
  public static final String DEFAULT_FAST_ROOT = "/dev/shm/virt-lxc-restore";
  static final String MARKER = "pending.properties";
  /** The directory name of images a pending restore owns, below {@code ROOT/<uuid>}. */
  static final String OWNED_IMAGES = "images";
  /** Owned images of a restore that succeeded, moved aside until deleted: {@code images.spent-EPOCHMILLIS}. */
  private static final String SPENT = ".spent-";
  private static final String RUN_STATE = "run.state";
  private static final String LEAVE_STOPPED = "criu.leave-stopped";
  private static final String LAZY_PAGES = "criu.lazy-pages";

  public static Path root() {
    String p = System.getProperty("virtlxc.restore.dir");
    return Path.of(p == null || p.isBlank() ? DEFAULT_ROOT : p);
  }

  /** The tmpfs directory restores unpack save images into when they fit in memory. */
  public static Path fastRoot() {
    String p = System.getProperty("virtlxc.restore.fastdir");
    return Path.of(p == null || p.isBlank() ? DEFAULT_FAST_ROOT : p);
  }

  /** Where a pending restore of the domain with {@code uuid} keeps images it owns that were unpacked into memory. */
  public static Path ownedFastImagesDir(String uuid) {
    return fastRoot().resolve(checkUuid(uuid)).resolve(OWNED_IMAGES);
  }

  /** The pending restore of the domain with {@code uuid}, if one was prepared. */
  public static Optional<PendingRestore> find(String uuid) throws CheckpointException {
    Path marker = root().resolve(checkUuid(uuid)).resolve(MARKER);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new CheckpointException("unable to read pending restore " + marker + ": " + e.getMessage(), e);
    }
    String images = p.getProperty("images");
    if (images == null || images.isBlank() || !Path.of(images).isAbsolute()) {
      throw new CheckpointException("unable to read pending restore " + marker + ": 'images' must be an absolute path,"
          + " not '" + images + "'");
    }
    return Optional.of(new PendingRestore(uuid, p.getProperty("domain.name", ""), Path.of(images), marker));
  }

  /** Records that the domain of {@code manifest} is to be restored from {@code imageDir} at its next start. */
  static PendingRestore write(CheckpointManifest manifest, Path imageDir) throws IOException {
    return write(manifest, imageDir, null);
  }

  /** As {@link #write(CheckpointManifest, Path)}, recording the run state to restore into ("running", "paused"). */
  static PendingRestore write(CheckpointManifest manifest, Path imageDir, String runState) throws IOException {
    return write(manifest, imageDir, runState, false);
  }

  /**
   * As {@link #write(CheckpointManifest, Path, String)}; with {@code leaveStopped} the controller has CRIU leave the
   * restored tree stopped ({@code --leave-stopped}): only for a caller that pauses the domain through libvirt right
   * after the start and then continues the tree (see {@link SaveService#continuePaused}), never for a plain start.
   */
  static PendingRestore write(CheckpointManifest manifest, Path imageDir, String runState, boolean leaveStopped)
      throws IOException {
    Path dir = root().resolve(checkUuid(manifest.uuid()));
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("images", imageDir.toAbsolutePath().normalize().toString());
    p.setProperty("domain.name", manifest.name());
    if (runState != null) {
      p.setProperty(RUN_STATE, runState);
    }
    if (leaveStopped) {
      p.setProperty(LEAVE_STOPPED, "true");
    }
    Path tmp = dir.resolve(MARKER + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "virt-lxc: restore this domain from 'images' at its next start");
    }
    Path marker = dir.resolve(MARKER);
    Files.move(tmp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new PendingRestore(manifest.uuid(), manifest.name(), imageDir.toAbsolutePath().normalize(), marker);
  }

  /** Where a pending restore of the domain with {@code uuid} keeps images it owns. */
  public static Path ownedImagesDir(String uuid) {
    return root().resolve(checkUuid(uuid)).resolve(OWNED_IMAGES);
  }

  /** Whether the images belong to this pending restore (a managed save or an unpacked save image). */
  public boolean ownsImages() {
    return ownedDir() != null;
  }

  /** The directory of the images this pending restore owns, or null. */
  private Path ownedDir() {
    Path images = imageDir.normalize();
    Path onDisk = marker.getParent().resolve(OWNED_IMAGES);
    if (images.startsWith(onDisk)) {
      return onDisk;
    }
    Path inMemory = ownedFastImagesDir(uuid);
    return images.startsWith(inMemory) ? inMemory : null;
  }

  /** The run state recorded with the marker ("running" or "paused"), "running" when none was. */
  public String runState() throws IOException {
    return properties().getProperty(RUN_STATE, "running");
  }

  /** Whether CRIU is to leave the restored tree stopped, for a caller that pauses it through libvirt. */
  public boolean leaveStopped() throws IOException {
    return Boolean.parseBoolean(properties().getProperty(LEAVE_STOPPED, "false"));
  }

  /** Rewrites the marker with {@link #leaveStopped()} set to {@code stopped} (atomically, as it was written). */
  public void setLeaveStopped(boolean stopped) throws IOException {
    Properties p = properties();
    if (stopped) {
      p.setProperty(LEAVE_STOPPED, "true");
    } else {
      p.remove(LEAVE_STOPPED);
    }
    Path tmp = marker.resolveSibling(MARKER + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "virt-lxc: restore this domain from 'images' at its next start");
    }
    Files.move(tmp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Whether CRIU is to restore with {@code --lazy-pages} (post-copy migration): the memory is not in the images but
   * comes from a {@code criu lazy-pages} daemon that serves {@code lazy-pages.socket} in the image directory.
   */
  public boolean lazyPages() throws IOException {
    return Boolean.parseBoolean(properties().getProperty(LAZY_PAGES, "false"));
  }

  /** Rewrites the marker with {@link #lazyPages()} set (atomically, as it was written). */
  public void setLazyPages() throws IOException {
    Properties p = properties();
    p.setProperty(LAZY_PAGES, "true");
    Path tmp = marker.resolveSibling(MARKER + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "virt-lxc: restore this domain from 'images' at its next start");
    }
    Files.move(tmp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private Properties properties() throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }

  /**
   * The restore it describes succeeded: removes the marker and, if it {@link #ownsImages owns} them, its images
   * (they must not be restored twice).
   */
  public void completed() throws IOException {
    Optional<Path> spent = retire();
    if (spent.isPresent()) {
      deleteSpent(spent.get());
    }
  }

  /**
   * The first, quick half of {@link #completed} (an unlink and a rename): removes the marker and moves the images
   * it owns, if any, aside, so that neither is found any more; returns where they went, for {@link #deleteSpent}
   * once there is time (deleting a GiB of tmpfs takes 0.2 s).
   */
  public Optional<Path> retire() throws IOException {
    Files.deleteIfExists(marker);
    Path owned = ownedDir();
    Path spent = null;
    if (owned != null && Files.exists(owned, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      spent = owned.resolveSibling(owned.getFileName() + SPENT + System.currentTimeMillis());
      Files.move(owned, spent, StandardCopyOption.ATOMIC_MOVE);
    }
    remove();
    return Optional.ofNullable(spent);
  }

  /**
   * The second half of {@link #completed}: deletes images {@link #retire} moved aside (and any others left there by
   * a controller that ended before it got so far), then their directory if that is empty.
   */
  public static void deleteSpent(Path spent) throws IOException {
    Path dir = spent.getParent();
    try (java.util.stream.Stream<Path> siblings = Files.list(dir)) {
      for (Path p : siblings.filter(p -> p.equals(spent) || isSpent(p.getFileName().toString())).toList()) {
        Tree.delete(p);
      }
    }
    deleteIfEmpty(dir);
  }

  private static void deleteIfEmpty(Path dir) throws IOException {
    try {
      Files.deleteIfExists(dir);
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      // a new marker or managed save lives there
    }
  }

  /**
   * Deletes images of any domain that {@link #retire} moved aside at least {@code age} ago and nobody deleted (their
   * controller ended before it got so far): they would hold their size in memory (tmpfs) or on disk for good. Returns
   * how many it deleted; failures are left for the next sweep.
   */
  public static int sweepSpent(Duration age) {
    long before = System.currentTimeMillis() - age.toMillis();
    int deleted = 0;
    for (Path base : java.util.List.of(root(), fastRoot())) {
      try (java.util.stream.Stream<Path> domains = Files.list(base)) {
        for (Path domain : domains.toList()) {
          try (java.util.stream.Stream<Path> entries = Files.list(domain)) {
            int here = 0;
            for (Path p : entries.toList()) { // only the stale ones: a recent one may be being deleted right now
              String n = p.getFileName().toString();
              if (isSpent(n) && spentAt(n) < before) {
                Tree.delete(p);
                here++;
              }
            }
            deleted += here;
            if (here > 0) {
              deleteIfEmpty(domain);
            }
          } catch (IOException e) {
            // not a directory, or gone meanwhile
          }
        }
      } catch (IOException e) {
        // no such root
      }
    }
    return deleted;
  }

  /** Whether {@code name} is one {@link #retire} gives: {@code images.spent-EPOCHMILLIS}. */
  private static boolean isSpent(String name) {
    return name.matches(java.util.regex.Pattern.quote(OWNED_IMAGES + SPENT) + "[0-9]{1,18}");
  }

  private static long spentAt(String name) {
    return Long.parseLong(name.substring((OWNED_IMAGES + SPENT).length()));
  }

  /** Drops the pending restore and, if it owns them, its images (managedsave-remove, a restore that failed). */
  public void discard() throws IOException {
    completed();
  }

  /** Removes the marker (and its directory if empty); the checkpoint directory is left alone. */
  public void remove() throws IOException {
    Files.deleteIfExists(marker);
    try {
      Files.deleteIfExists(marker.getParent());
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      // something else lives there (a later managed-save image): keep it
    }
  }

  private static String checkUuid(String uuid) {
    if (uuid == null || !uuid.matches("[0-9a-fA-F-]{32,36}")) {
      throw new IllegalArgumentException("not a domain UUID: '" + uuid + "'");
    }
    return uuid.toLowerCase(java.util.Locale.ROOT);
  }
}
