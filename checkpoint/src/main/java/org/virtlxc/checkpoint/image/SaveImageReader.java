package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads save images from files or streams (a migration socket): the manifest alone, cheaply; a whole-image check;
 * or an extraction that verifies as it goes and leaves nothing behind when the image is bad.
 */
public final class SaveImageReader {
  private static final Logger LOG = LogManager.getLogger(SaveImageReader.class);
  /** Bytes per read and write while unpacking a member: few system calls, few digest calls. */
  private static final int COPY_BUFFER = 1 << 20;

  private SaveImageReader() {}

  /** The manifest of {@code file}, reading only the first members (for save-image-dumpxml and -info). */
  public static Manifest readManifest(Path file) throws IOException {
    try (InputStream in = open(file)) {
      return readManifest(in, file.toString());
    }
  }

  /** The manifest at the start of {@code in}; reads little past it; {@code source} names the image in errors. */
  public static Manifest readManifest(InputStream in, String source) throws IOException {
    return ImageScanner.open(in, source).manifest();
  }

  /** Checks the whole image: format version, every checksum, structure, truncation; touches nothing. */
  public static VerifiedImage verify(Path file) throws IOException {
    try (InputStream in = open(file)) {
      return verify(in, file.toString());
    }
  }

  /**
   * Checks the whole image read from {@code in}. The image must be the rest of the stream: it is read to the end of
   * the stream, which proves nothing follows it (over a socket, the sender half-closes after the image, e.g.
   * {@code Socket.shutdownOutput()}).
   */
  public static VerifiedImage verify(InputStream in, String source) throws IOException {
    ImageScanner s = ImageScanner.open(in, source);
    var digests = s.scanMembers((m, content) -> { });
    return new VerifiedImage(s.manifest(), s.compression(), digests, s.bytesRead());
  }

  /** Unpacks {@code file} into {@code dir} (which must not exist or be empty), verifying as it goes. */
  public static ExtractedImage extract(Path file, Path dir) throws IOException {
    return extract(file, dir, m -> { });
  }

  /**
   * As {@link #extract(Path, Path)}, calling {@code check} with the (checked) manifest before any member is unpacked:
   * an exception it throws ends the extraction, leaving nothing behind.
   */
  public static ExtractedImage extract(Path file, Path dir, ManifestCheck check) throws IOException {
    return extract(file, dir, check, WriteProgress.Listener.NONE);
  }

  /**
   * As {@link #extract(Path, Path, ManifestCheck)}, telling {@code progress} how much of the payload is unpacked (about
   * once per MiB); an exception it throws ends the extraction, leaving nothing behind.
   */
  public static ExtractedImage extract(Path file, Path dir, ManifestCheck check, WriteProgress.Listener progress)
      throws IOException {
    try (InputStream in = open(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return extract(in, file.toString(), dir, check, progress, channel, (m, offset) -> false);
    }
  }

  /**
   * As {@link #extract(Path, Path, ManifestCheck, WriteProgress.Listener)}, except that CRIU's memory page images of
   * an uncompressed image stay where they lie in {@code file}: they are checked like every member but not copied, and
   * the result's {@link ExtractedImage#inPlace()} says where they are (for {@code criu restore --stream}, served by
   * {@link CriuImageServer}). A zstd image is unpacked whole.
   */
  public static ExtractedImage extractLeavingPages(Path file, Path dir, ManifestCheck check,
      WriteProgress.Listener progress) throws IOException {
    Path real;
    FileIdentity before;
    try {
      real = file.toRealPath();
      before = FileIdentity.of(real);
    } catch (NoSuchFileException e) {
      throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT, "save image " + file
          + " does not exist", e);
    }
    java.util.Map<String, MembersInPlace.Region> pages = new java.util.LinkedHashMap<>();
    ExtractedImage x;
    try (InputStream in = open(real);
        FileChannel channel = FileChannel.open(real, StandardOpenOption.READ)) {
      x = extract(in, file.toString(), dir, check, progress, channel, (m, offset) -> {
        if (m.isPages()) {
          pages.put(m.name().substring(MemberNames.CRIU_PREFIX.length()), new MembersInPlace.Region(offset, m.size()));
          return true;
        }
        return false;
      });
    }
    if (pages.isEmpty()) {
      return x;
    }
    if (!FileIdentity.of(real).equals(before)) {
      removeContents(x.directory(), false);
      throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT, "save image " + file
          + " changed while it was read");
    }
    return x.withInPlace(new MembersInPlace(real, before, pages));
  }

  /** How {@code file} is stored, from its first bytes. */
  public static Compression compressionOf(Path file) throws IOException {
    try (InputStream in = open(file)) {
      byte[] magic = in.readNBytes(4);
      return java.util.Arrays.equals(magic, ImageScanner.ZSTD_MAGIC) ? Compression.ZSTD : Compression.NONE;
    }
  }

  /** Looks at an image's manifest before its payload is read (e.g. whether this host can restore it). */
  @FunctionalInterface
  public interface ManifestCheck {
    void check(Manifest manifest) throws IOException;
  }

  /**
   * Unpacks the image read from {@code in} (to the end of the stream, as {@link #verify(InputStream, String)}) into
   * {@code dir}: payload members become files (mode 0600) under their member names. {@code dir} must not exist or
   * be empty; on any failure (corrupt or truncated image, read or write error) everything written below it is
   * removed, and {@code dir} too if this call created it.
   */
  public static ExtractedImage extract(InputStream in, String source, Path dir) throws IOException {
    return extract(in, source, dir, m -> { });
  }

  /**
   * As {@link #extract(InputStream, String, Path)}, with {@code check} as in
   * {@link #extract(Path, Path, ManifestCheck)}.
   */
  public static ExtractedImage extract(InputStream in, String source, Path dir, ManifestCheck check)
      throws IOException {
    return extract(in, source, dir, check, WriteProgress.Listener.NONE);
  }

  /** As {@link #extract(InputStream, String, Path, ManifestCheck)}, with {@code progress}. */
  public static ExtractedImage extract(InputStream in, String source, Path dir, ManifestCheck check,
      WriteProgress.Listener progress) throws IOException {
    return extract(in, source, dir, check, progress, null, (m, offset) -> false);
  }

  /** Whether member {@code m} of an uncompressed image, at {@code offset} of its file, stays there (not unpacked). */
  @FunctionalInterface
  private interface LeftMembers {
    boolean leave(MemberInfo m, long offset);
  }

  private static java.nio.channels.WritableByteChannel createMemberFile(Path dir, MemberInfo m) throws IOException {
    return FileChannel.open(memberFile(dir, m), java.util.Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(AtomicFile.MODE_0600));
  }

  /**
   * As {@link #extract(InputStream, String, Path, ManifestCheck, WriteProgress.Listener)}; {@code file} (or null) is
   * the image file {@code in} reads from its start: the large members of an uncompressed image are then copied from
   * it by the kernel and hashed from its pages, not read through the stream.
   */
  private static ExtractedImage extract(InputStream in, String source, Path dir, ManifestCheck check,
      WriteProgress.Listener progress, FileChannel file, LeftMembers left) throws IOException {
    Path target = dir.toAbsolutePath();
    boolean created = prepareEmptyDirectory(target);
    boolean ok = false;
    try {
      ImageScanner s = ImageScanner.open(in, source);
      check.check(s.manifest());
      s.progress(progress);
      var digests = s.scanMembers((m, content) -> writeMember(target, m, content), file,
          new ImageScanner.RegionVisitor() {
            @Override
            public boolean leave(MemberInfo m, long offset) {
              return left.leave(m, offset);
            }

            @Override
            public java.nio.channels.WritableByteChannel open(MemberInfo m) throws IOException {
              return createMemberFile(target, m);
            }
          });
      VerifiedImage v = new VerifiedImage(s.manifest(), s.compression(), digests, s.bytesRead());
      ok = true;
      LOG.info("extracted save image {} into {} ({} members)", source, target, digests.size());
      return new ExtractedImage(v.manifest(), v, target);
    } finally {
      if (!ok) {
        removeContents(target, created);
      }
    }
  }

  static InputStream open(Path file) throws IOException {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT, "save image " + file
          + " does not exist", e);
    }
  }

  /** Where member {@code m} goes below {@code dir}: its parent directory is made, the file not yet. */
  private static Path memberFile(Path dir, MemberInfo m) throws IOException {
    Path target = dir.resolve(m.name()).normalize();
    if (!target.startsWith(dir.normalize())) {
      throw new SaveImageException(SaveImageException.Code.CORRUPT, "member '" + m.name() + "' leaves " + dir);
    }
    Files.createDirectories(target.getParent());
    return target;
  }

  private static void writeMember(Path dir, MemberInfo m, InputStream content) throws IOException {
    Path target = memberFile(dir, m);
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      Files.setPosixFilePermissions(target, AtomicFile.MODE_0600);
      byte[] buffer = new byte[COPY_BUFFER];
      for (int n; (n = content.read(buffer, 0, buffer.length)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      if (e instanceof SaveImageException || e instanceof SourceStream.ReadFailure) {
        throw e;
      }
      throw new IOException("unable to write " + target + ": " + e.getMessage(), e);
    }
  }

  private static boolean prepareEmptyDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        if (ds.iterator().hasNext()) {
          throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT,
              "unable to extract a save image into " + dir + ": the directory is not empty");
        }
      }
      return false;
    }
    Files.createDirectories(dir.getParent());
    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    return true;
  }

  private static void removeContents(Path dir, boolean includingDir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
          Files.delete(f);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          if (includingDir || !d.equals(dir)) {
            Files.delete(d);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOG.warn("unable to clean up {} after a failed extraction: {}", dir, e.toString());
    }
  }
}
