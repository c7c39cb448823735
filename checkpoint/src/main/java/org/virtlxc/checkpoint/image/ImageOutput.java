package org.virtlxc.checkpoint.image;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes one save image to a stream, member by member, in the order of {@link MemberNames}: the manifest and its
 * digest, the payload members the manifest lists (each exactly its size), then the trailer. Tar records are 512
 * bytes with no larger blocking, so the tar stream ends right after its two end-of-archive records.
 */
final class ImageOutput implements AutoCloseable {
  static final int RECORD = 512;
  /** Level 1: on dumped memory as fast as level 3 compresses it twice as fast (see scripts/bench-save-restore.sh). */
  private static final int ZSTD_LEVEL = 1;
  private static final int ZSTD_WORKERS = Math.min(4, Runtime.getRuntime().availableProcessors());
  private static final long PROGRESS_STEP = 1 << 20;
  /** Bytes the kernel copies between two digest hand-overs and progress reports. */
  private static final long DIRECT_CHUNK = 64L << 20;

  private final TarArchiveOutputStream tar;
  private final OutputStream buffered;
  private final DigestingStream compressedDigest;
  private final Manifest manifest;
  private final Iterator<MemberInfo> expected;
  private final WriteProgress.Listener listener;
  private final long mtimeMillis;
  private final Map<String, String> digests = new LinkedHashMap<>();
  /** Format 2 on: the page images' CRC32C chunks, for {@link MemberNames#PAGE_SUMS}. */
  private final Map<String, String> pageCrcs = new LinkedHashMap<>();
  private final BackgroundDigest hasher = new BackgroundDigest(1 << 20);
  /** The file {@code sink} writes into, when members from files are copied into it by the kernel; else null. */
  private final FileChannel direct;
  private RegionDigest regionDigest;
  private long bytesWritten;
  private long pageBytesWritten;

  /** Starts the image on {@code sink} (which is flushed but not closed at the end) and writes the manifest. */
  ImageOutput(OutputStream sink, Manifest manifest, WriteProgress.Listener listener) throws IOException {
    this(sink, null, manifest, listener);
  }

  /**
   * As {@link #ImageOutput(OutputStream, Manifest, WriteProgress.Listener)}; {@code file} (or null) is the channel,
   * open for reading and writing, that {@code sink} writes into at its position: uncompressed members from files
   * are then copied by the kernel ({@link #addMember(MemberInfo, Path)}).
   */
  ImageOutput(OutputStream sink, FileChannel file, Manifest manifest, WriteProgress.Listener listener)
      throws IOException {
    this.direct = manifest.compression() == Compression.NONE ? file : null;
    this.manifest = manifest;
    this.expected = manifest.members().iterator();
    this.listener = listener;
    this.mtimeMillis = mtimeMillis(manifest);
    this.buffered = new BufferedOutputStream(new NonClosing(sink), 1 << 20);
    OutputStream out = buffered;
    if (manifest.compression() == Compression.ZSTD) {
      compressedDigest = new DigestingStream(new NonClosing(buffered));
      out = new ZstdOutputStream(compressedDigest, ZSTD_LEVEL).setChecksum(true).setWorkers(ZSTD_WORKERS);
    } else {
      compressedDigest = null;
    }
    tar = TarHeader.configure(new TarArchiveOutputStream(out, RECORD));
    byte[] json = ManifestJson.write(manifest);
    writeSmall(MemberNames.MANIFEST, json);
    writeSmall(MemberNames.MANIFEST_SUM, DigestList.format(Map.of(MemberNames.MANIFEST, sha256(json))));
  }

  /**
   * Continues an uncompressed image whose start is already in {@code file} (or will be written there later): the
   * manifest, its digest and the first payload members, whose digests {@code written} gives in image order (the
   * manifest's first). {@code sink} writes into {@code file} at its position, where the next member goes.
   */
  ImageOutput(OutputStream sink, FileChannel file, Manifest manifest, WriteProgress.Listener listener,
      Map<String, String> written) throws IOException {
    if (manifest.compression() != Compression.NONE) {
      throw new IllegalArgumentException("only an uncompressed image is continued");
    }
    this.direct = file;
    this.manifest = manifest;
    this.expected = manifest.members().iterator();
    this.listener = listener;
    this.mtimeMillis = mtimeMillis(manifest);
    this.buffered = new BufferedOutputStream(new NonClosing(sink), 1 << 20);
    this.compressedDigest = null;
    this.tar = TarHeader.configure(new TarArchiveOutputStream(buffered, RECORD));
    for (Map.Entry<String, String> w : written.entrySet()) {
      String name = w.getKey();
      if (!name.equals(MemberNames.MANIFEST) && !name.equals(MemberNames.MANIFEST_SUM)) {
        MemberInfo next = expected.hasNext() ? expected.next() : null;
        if (next == null || !next.name().equals(name)) {
          throw new IllegalStateException("member " + name + " written where the manifest lists " + next);
        }
        bytesWritten += next.size();
        pageBytesWritten += next.isPages() ? next.size() : 0;
        record(next, w.getValue());
      } else {
        digests.put(name, w.getValue());
      }
    }
  }

  /**
   * Copies the next payload member from {@code source}, as {@link #addMember(MemberInfo, InputStream)}: in the
   * kernel ({@code sendfile}/{@code copy_file_range}, no copy through Java) when the image is an uncompressed file,
   * each region hashed from the image file itself once written, while the next one is copied.
   */
  void addMember(MemberInfo member, Path source) throws IOException {
    if (direct == null) {
      try (InputStream in = Files.newInputStream(source)) {
        addMember(member, in);
      }
      return;
    }
    checkNext(member);
    byte[] header = TarHeader.of(entry(member.name(), member.size()));
    tar.flush();
    buffered.write(header);
    buffered.flush();
    if (regionDigest == null) {
      regionDigest = new RegionDigest();
    }
    MemberCheck check = MemberCheck.of(member, manifest.formatVersion());
    long start = direct.position();
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
      long done = 0;
      while (done < member.size()) {
        long n = Math.min(DIRECT_CHUNK, member.size() - done);
        long chunkEnd = done + n;
        while (done < chunkEnd) {
          long moved = in.transferTo(done, chunkEnd - done, direct);
          if (moved <= 0) {
            throw new IOException("member '" + member.name() + "' ended after " + done + " of " + member.size()
                + " bytes: its source changed while the image was written");
          }
          done += moved;
        }
        regionDigest.submit(check, direct, start + chunkEnd - n, n);
        bytesWritten += n;
        if (member.isPages()) {
          pageBytesWritten += n;
        }
        report();
      }
      if (in.size() != member.size()) {
        throw new IOException("member '" + member.name() + "' is longer than its " + member.size()
            + " bytes: its source changed while the image was written");
      }
    }
    if (direct.position() != start + member.size()) {
      throw new IOException("the save image's file position moved while member '" + member.name() + "' was copied");
    }
    if (member.size() >= DIRECT_CHUNK) {
      direct.force(false); // written back while the digest thread catches up, not after it (the final fsync does
    }                      // the small ones at once: one flush each cost 5-10 ms)
    int pad = (int) (-member.size() & (RECORD - 1));
    buffered.write(new byte[pad]);
    record(member, regionDigest.finish(check));
    report();
  }

  /** Copies the next payload member, which must be the next one the manifest lists, exactly its size. */
  void addMember(MemberInfo member, InputStream content) throws IOException {
    checkNext(member);
    MemberCheck check = MemberCheck.of(member, manifest.formatVersion());
    tar.putArchiveEntry(entry(member.name(), member.size()));
    long left = member.size();
    long sinceReport = 0;
    while (left > 0) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted while writing member '" + member.name() + "'");
      }
      byte[] buffer = hasher.buffer();
      int n = content.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("member '" + member.name() + "' ended after " + (member.size() - left) + " of "
            + member.size() + " bytes: its source changed while the image was written");
      }
      tar.write(buffer, 0, n);
      hasher.submit(check, buffer, n); // checked on the digest thread while the next chunk is copied
      left -= n;
      bytesWritten += n;
      if (member.isPages()) {
        pageBytesWritten += n;
      }
      sinceReport += n;
      if (sinceReport >= PROGRESS_STEP) {
        sinceReport = 0;
        report();
      }
    }
    if (content.read() >= 0) {
      throw new IOException("member '" + member.name() + "' is longer than its " + member.size()
          + " bytes: its source changed while the image was written");
    }
    tar.closeArchiveEntry();
    record(member, hasher.finish(check));
    report();
  }

  /** Records a payload member's check value for the trailer ({@link MemberCheck}). */
  private void record(MemberInfo member, String check) {
    (MemberCheck.isCrc(member, manifest.formatVersion()) ? pageCrcs : digests).put(member.name(), check);
  }

  private void checkNext(MemberInfo member) {
    MemberInfo next = expected.hasNext() ? expected.next() : null;
    if (!member.equals(next)) {
      throw new IllegalStateException("member " + member + " written where the manifest lists " + next);
    }
  }

  /** Writes the trailer and ends the tar (and zstd) stream; the sink is flushed, not closed. */
  void finish() throws IOException {
    if (expected.hasNext()) {
      throw new IllegalStateException("image finished before member " + expected.next() + " was written");
    }
    if (manifest.formatVersion() >= 2) {
      writeSmall(MemberNames.PAGE_SUMS, DigestList.format(pageCrcs));
    }
    byte[] sums = DigestList.format(digests);
    writeSmall(MemberNames.SUMS, sums);
    writeSmall(MemberNames.SUMS_SUM, DigestList.format(Map.of(MemberNames.SUMS, sha256(sums))));
    tar.finish();
    tar.close();
    if (compressedDigest != null) {
      buffered.write(DigestFrame.of(compressedDigest.md.digest()));
    }
    buffered.close();
    close();
  }

  /** Stops the digest thread; the sink is left as it is (call after a failure; {@link #finish} does it too). */
  @Override
  public void close() {
    hasher.close();
    if (regionDigest != null) {
      regionDigest.close();
    }
  }

  Manifest manifest() {
    return manifest;
  }

  private void writeSmall(String name, byte[] content) throws IOException {
    tar.putArchiveEntry(entry(name, content.length));
    tar.write(content);
    tar.closeArchiveEntry();
    if (!name.equals(MemberNames.SUMS) && !name.equals(MemberNames.SUMS_SUM)) {
      digests.put(name, sha256(content));
    }
  }

  TarArchiveEntry entry(String name, long size) {
    return entry(name, size, mtimeMillis);
  }

  /** Whole seconds: a fraction would make commons-compress add a PAX header record to every member. */
  static long mtimeMillis(Manifest manifest) {
    return manifest.created().getEpochSecond() * 1000;
  }

  static TarArchiveEntry entry(String name, long size, long mtimeMillis) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(size);
    e.setMode(0100600);
    e.setModTime(mtimeMillis);
    e.setUserName("root");
    e.setGroupName("root");
    return e;
  }

  private void report() throws IOException {
    long pageSize = manifest.pageSize();
    listener.progress(new WriteProgress(bytesWritten, manifest.payloadBytes(), pageBytesWritten / pageSize,
        manifest.pageBytes() / pageSize));
  }

  static String sha256(byte[] content) {
    Sha256 md = Sha256.create();
    md.update(content, 0, content.length);
    return DigestList.hex(md.digest());
  }

  /** Digests the compressed bytes on their way to the sink. */
  private static final class DigestingStream extends FilterOutputStream {
    final Sha256 md = Sha256.create();

    DigestingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      md.update(b, off, len);
      out.write(b, off, len);
    }
  }

  /** Keeps the image's streams from closing the caller's sink. */
  private static final class NonClosing extends FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
