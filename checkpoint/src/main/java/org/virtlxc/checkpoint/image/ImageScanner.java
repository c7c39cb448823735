package org.virtlxc.checkpoint.image;

import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * Reads a save image front to back in one pass, checking everything as it goes: the manifest against its digest and
 * the format version before anything else ({@link #open}), then each payload member against the manifest's list and
 * the trailer's digests, the tar headers' checksums, the zero padding, the end-of-archive records, the zstd frame
 * checksum, and that nothing follows ({@link #scanMembers}). Errors name the image, the member and the offset.
 */
final class ImageScanner {
  /** Receives each payload member's content in image order; need not read all of it. */
  @FunctionalInterface
  interface MemberVisitor {
    void member(MemberInfo member, InputStream content) throws IOException;
  }

  /**
   * Where payload members go when the image is an uncompressed file: each member of at least {@link #REGION_MIN}
   * bytes is copied from the file by the kernel into the channel this gives, and hashed from the file's mapped pages
   * on a helper thread meanwhile, instead of being read through the tar stream. A member {@link #leave}s says stays
   * where it lies in the file (of any size): it is only checked, from the file's mapped pages.
   */
  interface RegionVisitor {
    /** Whether {@code member}, whose bytes start at {@code offset} of the file, stays there. */
    boolean leave(MemberInfo member, long offset);

    java.nio.channels.WritableByteChannel open(MemberInfo member) throws IOException;
  }

  private static final long REGION_MIN = 1 << 20;
  private static final long REGION_STEP = 64L << 20;
  /** Bytes of a member left in place checked per region (smaller ones cost more in mappings: 1 MiB +30 % per GiB). */
  private static final long IN_PLACE_STEP = 16L << 20;
  private static final int MAX_SMALL_MEMBER = 64 << 20;
  /** Bytes a payload member's digest thread hashes at a time (while the next ones are read and written). */
  private static final int HASH_CHUNK = 1 << 20;
  private static final int CHKSUM_OFFSET = 148;
  private static final int CHKSUM_LENGTH = 8;
  static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

  private final String image;
  private final CountingInputStream fileBytes;
  private final CountingInputStream tarBytes;
  private final TailDigestInputStream compressed;
  private final TarArchiveInputStream tar;
  private final Compression compression;
  private final Map<String, String> digests = new LinkedHashMap<>();
  private final byte[] buffer = new byte[256 * 1024];
  private Manifest manifest;
  private String previous = "(start of image)";
  private WriteProgress.Listener progress = WriteProgress.Listener.NONE;
  private long payloadRead;
  private long pageBytesRead;
  private long sinceReport;

  private ImageScanner(String image, InputStream in) throws IOException {
    this.image = image;
    this.fileBytes = new CountingInputStream(new SourceStream(in, image));
    BufferedInputStream buffered = new BufferedInputStream(fileBytes, 64 * 1024);
    buffered.mark(ZSTD_MAGIC.length);
    byte[] magic = buffered.readNBytes(ZSTD_MAGIC.length);
    buffered.reset();
    if (magic.length == 0) {
      throw new SaveImageException(SaveImageException.Code.NOT_AN_IMAGE, image + " is empty, not a save image");
    }
    InputStream decoded = buffered;
    if (java.util.Arrays.equals(magic, ZSTD_MAGIC)) {
      compression = Compression.ZSTD;
      compressed = new TailDigestInputStream(buffered, DigestFrame.LENGTH);
      decoded = new ZstdInputStream(compressed);
    } else {
      compression = Compression.NONE;
      compressed = null;
    }
    tarBytes = new CountingInputStream(decoded);
    tar = new CheckedTarInputStream(tarBytes);
  }

  /** Opens the image and reads and checks its manifest; reads nothing past the manifest's digest member. */
  static ImageScanner open(InputStream in, String image) throws IOException {
    ImageScanner s = new ImageScanner(image, in);
    s.readManifest();
    return s;
  }

  Manifest manifest() {
    return manifest;
  }

  Compression compression() {
    return compression;
  }

  /** Bytes read from the image file or stream so far. */
  long bytesRead() {
    return fileBytes.count();
  }

  /** Hears how much of the payload {@link #scanMembers} has read: about once per MiB and at the end. */
  void progress(WriteProgress.Listener listener) {
    this.progress = listener;
  }

  /** Reads the rest of the image, handing each payload member to {@code visitor}; returns the checked digests. */
  List<MemberDigest> scanMembers(MemberVisitor visitor) throws IOException {
    return scanMembers(visitor, null, null);
  }

  /**
   * As {@link #scanMembers(MemberVisitor)}; when {@code file} is the image's own file (read by this scanner from its
   * start) and the image is uncompressed, large members go to {@code regions} instead (see {@link RegionVisitor}).
   */
  List<MemberDigest> scanMembers(MemberVisitor visitor, java.nio.channels.FileChannel file, RegionVisitor regions)
      throws IOException {
    boolean direct = file != null && regions != null && compression == Compression.NONE;
    try (BackgroundDigest hasher = new BackgroundDigest(HASH_CHUNK);
        RegionDigest regionDigest = direct ? new RegionDigest() : null;
        ParallelChunkCheck chunkCheck = direct ? new ParallelChunkCheck() : null) {
      for (MemberInfo expected : manifest.members()) {
        TarArchiveEntry e = nextEntry(expected.name());
        if (e.getSize() != expected.size()) {
          throw corrupt("member '" + expected.name() + "' at " + where(headerOffset()) + " has " + e.getSize()
              + " bytes; the manifest says " + expected.size());
        }
        MemberCheck check = MemberCheck.of(expected, manifest.formatVersion());
        boolean leave = direct && regions.leave(expected, tarBytes.count());
        if (leave || direct && expected.size() >= REGION_MIN) {
          try (java.nio.channels.WritableByteChannel out = leave ? null : regions.open(expected)) {
            digests.put(expected.name(), copyRegion(expected, check, file, out, regionDigest, chunkCheck));
          }
          continue;
        }
        MemberStream content = new MemberStream(expected, check, hasher);
        visitor.member(expected, content);
        content.drain();
        digests.put(expected.name(), content.hex());
      }
    }
    report();
    Map<String, String> shas = new LinkedHashMap<>();
    Map<String, String> crcs = new LinkedHashMap<>();
    Map<String, MemberInfo> payload = new LinkedHashMap<>();
    manifest.members().forEach(m -> payload.put(m.name(), m));
    digests.forEach((name, value) -> {
      MemberInfo m = payload.get(name);
      (m != null && MemberCheck.isCrc(m, manifest.formatVersion()) ? crcs : shas).put(name, value);
    });
    Map<String, String> recordedCrcs = Map.of();
    if (manifest.formatVersion() >= 2) {
      byte[] pageSums = readSmall(MemberNames.PAGE_SUMS, false);
      shas.put(MemberNames.PAGE_SUMS, ImageOutput.sha256(pageSums));
      recordedCrcs = DigestList.parseCrcs(pageSums, image, MemberNames.PAGE_SUMS);
    }
    byte[] sums = readSmall(MemberNames.SUMS, false);
    byte[] sumsSum = readSmall(MemberNames.SUMS_SUM, true);
    checkDigestMember(MemberNames.SUMS, sums, sumsSum);
    Map<String, String> recorded = DigestList.parse(sums, image, MemberNames.SUMS);
    checkListed(MemberNames.SUMS, recorded, shas);
    checkListed(MemberNames.PAGE_SUMS, recordedCrcs, crcs);
    // the list of CRCs first: the SHA-256 of its member says whether a mismatch is in the list or in the pages
    checkSha(MemberNames.PAGE_SUMS, shas, recorded);
    List<MemberDigest> out = new ArrayList<>();
    for (Map.Entry<String, String> d : digests.entrySet()) {
      MemberInfo m = payload.get(d.getKey());
      if (crcs.containsKey(d.getKey())) {
        checkCrcs(m, d.getValue(), recordedCrcs.get(d.getKey()));
        out.add(new MemberDigest(m.name(), m.size(), MemberDigest.Algorithm.CRC32C_CHUNKS, d.getValue()));
      } else {
        checkSha(d.getKey(), shas, recorded);
        if (m != null) {
          out.add(new MemberDigest(m.name(), m.size(), MemberDigest.Algorithm.SHA256, d.getValue()));
        }
      }
    }
    checkEnd();
    return out;
  }

  private void checkListed(String list, Map<String, String> recorded, Map<String, String> actual)
      throws SaveImageException {
    if (!new ArrayList<>(recorded.keySet()).equals(new ArrayList<>(actual.keySet()))) {
      throw corrupt("member '" + list + "' lists members " + recorded.keySet() + ", but the image holds "
          + actual.keySet());
    }
  }

  private void checkSha(String name, Map<String, String> actual, Map<String, String> recorded)
      throws SaveImageException {
    if (actual.containsKey(name) && !actual.get(name).equals(recorded.get(name))) {
      throw corrupt("member '" + name + "' is corrupt: its SHA-256 is " + actual.get(name) + ", " + MemberNames.SUMS
          + " records " + recorded.get(name));
    }
  }

  /** Names the first chunk of page image {@code m} whose CRC32C differs from the one recorded. */
  private void checkCrcs(MemberInfo m, String actual, String recorded) throws SaveImageException {
    if (actual.equals(recorded)) {
      return;
    }
    int chunks = actual.length() / 8;
    if (recorded.length() != actual.length()) {
      throw corrupt("member '" + m.name() + "' is corrupt: " + MemberNames.PAGE_SUMS + " records "
          + recorded.length() / 8 + " CRC32C chunks for it, its " + m.size() + " bytes make " + chunks);
    }
    int i = 0;
    while (actual.regionMatches(8 * i, recorded, 8 * i, 8)) {
      i++;
    }
    long from = (long) i * MemberCheck.CHUNK;
    long to = Math.min(m.size(), from + MemberCheck.CHUNK);
    throw corrupt("member '" + m.name() + "' is corrupt: the CRC32C of its bytes " + from + " to " + to + " is "
        + actual.substring(8 * i, 8 * i + 8) + ", " + MemberNames.PAGE_SUMS + " records "
        + recorded.substring(8 * i, 8 * i + 8));
  }

  /**
   * Copies member {@code m}, whose tar header was just read, from the image file by the kernel into {@code out},
   * hashing it from the file meanwhile, or only hashes it when {@code out} is null (it stays in the file); then skips
   * its content in the tar stream (not read again) and checks its padding as usual.
   */
  private String copyRegion(MemberInfo m, MemberCheck check, java.nio.channels.FileChannel file,
      java.nio.channels.WritableByteChannel out, RegionDigest digest, ParallelChunkCheck chunkCheck)
      throws IOException {
    long start = tarBytes.count();
    long size = m.size();
    long available;
    try {
      available = file.size() - start;
    } catch (IOException ex) {
      throw new SourceStream.ReadFailure("unable to read save image " + image + ": " + ex.getMessage(), ex);
    }
    if (available < size) {
      throw new SaveImageException(SaveImageException.Code.TRUNCATED, "save image " + image + " is truncated:"
          + " member '" + m.name() + "' ends after " + Math.max(0, available) + " of " + size + " bytes at "
          + where(start + Math.max(0, available)));
    }
    String value = null;
    if (out == null && MemberCheck.isCrc(m, manifest.formatVersion())) { // left in place, CRC32C chunks: in parallel
      value = chunkCheck.check(file, start, size, n -> {
        payloadRead += n;
        pageBytesRead += n;
        report();
      });
    } else if (out == null) { // left in place: checked from the file's pages, not copied; progress once per region
      for (long done = 0; done < size; ) {
        long n = Math.min(IN_PLACE_STEP, size - done);
        digest.submit(check, file, start + done, n);
        done += n;
        payloadRead += n;
        pageBytesRead += m.isPages() ? n : 0;
        report();
      }
    } else {
      copy(m, check, file, start, out, digest);
    }
    long end = start + size;
    long padded = (end + ImageOutput.RECORD - 1) / ImageOutput.RECORD * ImageOutput.RECORD;
    tarBytes.expectZeros(end, padded, at -> corrupt("padding after member '" + m.name() + "' is not zero at "
        + where(at)));
    fileBytes.skipsUnread(true);
    try {
      tarBytes.skipBelow(size); // an lseek: the tar stream's skip below then reads nothing
    } finally {
      fileBytes.skipsUnread(false);
    }
    long skipped = 0; // by reads into one buffer (left unfilled): tar.skip allocates a scratch array per 8 KiB
    for (int k; skipped < size && (k = tar.read(buffer, 0, (int) Math.min(buffer.length, size - skipped))) > 0; ) {
      skipped += k;
    }
    if (skipped != size || tarBytes.count() != end) {
      throw new IllegalStateException("skipped member '" + m.name() + "' to offset " + tarBytes.count() + ", not "
          + end);
    }
    return value != null ? value : digest.finish(check);
  }

  /** The kernel copies member {@code m} ({@code size} bytes at {@code start}) into {@code out}, hashed meanwhile. */
  private void copy(MemberInfo m, MemberCheck check, java.nio.channels.FileChannel file, long start,
      java.nio.channels.WritableByteChannel out, RegionDigest digest) throws IOException {
    long size = m.size();
    long hashed = 0;
    for (long done = 0; done < size; ) {
      if (done == hashed) {
        long n = Math.min(REGION_STEP, size - done);
        digest.submit(check, file, start + done, n); // checked on the digest thread while this region is copied
        hashed += n;
      }
      long k = file.transferTo(start + done, Math.min(HASH_CHUNK, hashed - done), out);
      if (k <= 0) {
        throw new SaveImageException(SaveImageException.Code.TRUNCATED, "save image " + image + " is truncated:"
            + " member '" + m.name() + "' ends after " + done + " of " + size + " bytes");
      }
      done += k;
      payloadRead += k;
      pageBytesRead += m.isPages() ? k : 0;
      report(); // about once per MiB
    }
  }

  private void report() throws IOException {
    long pageSize = manifest.pageSize();
    progress.progress(new WriteProgress(payloadRead, manifest.payloadBytes(), pageBytesRead / pageSize,
        manifest.pageBytes() / pageSize));
  }

  private void readManifest() throws IOException {
    byte[] json = readSmall(MemberNames.MANIFEST, false);
    byte[] sum = readSmall(MemberNames.MANIFEST_SUM, false);
    checkDigestMember(MemberNames.MANIFEST, json, sum);
    manifest = ManifestJson.read(json, image);
    digests.put(MemberNames.MANIFEST, ImageOutput.sha256(json));
    digests.put(MemberNames.MANIFEST_SUM, ImageOutput.sha256(sum));
  }

  private void checkDigestMember(String name, byte[] content, byte[] sumMember) throws SaveImageException {
    Map<String, String> sum = DigestList.parse(sumMember, image, name + ".sha256");
    String actual = ImageOutput.sha256(content);
    if (!sum.keySet().equals(java.util.Set.of(name)) || !actual.equals(sum.get(name))) {
      throw corrupt("member '" + name + "' is corrupt: its SHA-256 is " + actual + ", member '" + name
          + ".sha256' records " + sum);
    }
  }

  private byte[] readSmall(String name, boolean last) throws IOException {
    TarArchiveEntry e;
    try {
      e = nextEntry(name);
    } catch (SaveImageException ex) {
      if (name.equals(MemberNames.MANIFEST) && ex.code() != SaveImageException.Code.TRUNCATED) {
        throw new SaveImageException(SaveImageException.Code.NOT_AN_IMAGE,
            image + " is not a virt-lxc save image: " + ex.getMessage(), ex);
      }
      throw ex;
    }
    if (e.getSize() > MAX_SMALL_MEMBER) {
      throw corrupt("member '" + name + "' claims " + e.getSize() + " bytes, more than " + MAX_SMALL_MEMBER);
    }
    MemberStream content = new MemberStream(name, e.getSize(), last);
    byte[] bytes = content.readAllBytes();
    content.drain();
    return bytes;
  }

  private TarArchiveEntry nextEntry(String expectedName) throws IOException {
    long offset = headerOffset();
    TarArchiveEntry e;
    try {
      e = tar.getNextEntry();
    } catch (IOException ex) {
      throw failure(ex, "the tar header of member '" + expectedName + "' (expected after '" + previous + "')",
          offset);
    }
    if (e == null) {
      throw new SaveImageException(SaveImageException.Code.TRUNCATED, "save image " + image + " is truncated: it"
          + " ends at " + where(tarBytes.count()) + " after member '" + previous + "'; member '" + expectedName
          + "' is missing");
    }
    if (!e.getName().equals(expectedName) || !e.isFile()) {
      throw corrupt("member '" + e.getName() + "' found at " + where(offset) + " where member '" + expectedName
          + "' belongs");
    }
    previous = expectedName;
    return e;
  }

  private void checkEnd() throws IOException {
    long eof = headerOffset();
    TarArchiveEntry e;
    try {
      e = tar.getNextEntry();
    } catch (IOException ex) {
      throw failure(ex, "the end-of-archive records after member '" + previous + "'", eof);
    }
    if (e != null) {
      throw corrupt("member '" + e.getName() + "' follows the trailer at " + where(eof));
    }
    if (tarBytes.count() < eof + 2 * ImageOutput.RECORD) {
      throw new SaveImageException(SaveImageException.Code.TRUNCATED, "save image " + image + " is truncated: it"
          + " ends at " + where(tarBytes.count()) + " inside the end-of-archive records");
    }
    try {
      if (tarBytes.read() >= 0) {
        throw corrupt("unexpected data after the end of the archive at " + where(tarBytes.count() - 1));
      }
    } catch (SaveImageException ex) {
      throw ex;
    } catch (IOException ex) {
      throw failure(ex, "the end of the image (after member '" + previous + "')", tarBytes.count());
    }
    if (compressed != null) {
      checkCompressedDigest();
    }
  }

  private void checkCompressedDigest() throws IOException {
    try {
      compressed.transferTo(OutputStream.nullOutputStream());
    } catch (IOException ex) {
      throw failure(ex, "the SHA-256 frame after member '" + previous + "'", tarBytes.count());
    }
    byte[] tail = compressed.tail();
    if (!DigestFrame.isFrame(tail)) {
      throw new SaveImageException(SaveImageException.Code.TRUNCATED, "save image " + image + " is truncated:"
          + " the SHA-256 frame of its compressed stream (after member '" + previous + "') is missing or cut");
    }
    if (!DigestFrame.matches(tail, compressed.digest())) {
      throw corrupt("the compressed stream does not match the SHA-256 in its last frame: compressed bytes changed"
          + " that the members' checksums do not cover (zstd frame or block headers)");
    }
  }

  private long headerOffset() {
    long c = tarBytes.count();
    return (c + ImageOutput.RECORD - 1) / ImageOutput.RECORD * ImageOutput.RECORD;
  }

  private String where(long tarOffset) {
    return compression == Compression.NONE ? "offset " + tarOffset
        : "offset " + tarOffset + " of the uncompressed stream (compressed offset about " + fileBytes.count() + ")";
  }

  private SaveImageException corrupt(String what) {
    return new SaveImageException(SaveImageException.Code.CORRUPT, "save image " + image + ": " + what);
  }

  /** An exception from the tar or zstd layer, as a truncation or a corruption of {@code context}. */
  private IOException failure(IOException e, String context, long offset) {
    if (e instanceof SaveImageException || e instanceof SourceStream.ReadFailure) {
      return e;
    }
    String msg = String.valueOf(e.getMessage());
    boolean truncated = e instanceof EOFException || msg.toLowerCase(java.util.Locale.ROOT).contains("truncated");
    if (truncated) {
      return new SaveImageException(SaveImageException.Code.TRUNCATED, "save image " + image + " is truncated: it"
          + " ends inside " + context + " at " + where(tarBytes.count()), e);
    }
    String layer = e instanceof ZstdIOException ? "zstd data" : "tar data";
    return new SaveImageException(SaveImageException.Code.CORRUPT, "save image " + image + ": " + context
        + " is corrupt near " + where(offset) + " (" + layer + ": " + msg + ")", e);
  }

  /** A tar reader that checks every header record's checksum, which commons-compress does not do by itself. */
  private static final class CheckedTarInputStream extends TarArchiveInputStream {
    CheckedTarInputStream(InputStream in) {
      super(in, ImageOutput.RECORD, ImageOutput.RECORD);
    }

    @Override
    protected byte[] readRecord() throws IOException {
      byte[] record = super.readRecord();
      if (record != null && record.length == ImageOutput.RECORD && !isEOFRecord(record)
          && !hasCanonicalChecksum(record)) {
        throw new IOException("header checksum mismatch");
      }
      return record;
    }
  }

  /**
   * Whether the header's checksum field holds exactly what tar writes for its bytes (six octal digits, NUL, space),
   * so that no byte of a header, the checksum field included, can change unnoticed.
   */
  static boolean hasCanonicalChecksum(byte[] header) {
    byte[] copy = header.clone();
    java.util.Arrays.fill(copy, CHKSUM_OFFSET, CHKSUM_OFFSET + CHKSUM_LENGTH, (byte) ' ');
    byte[] expected = new byte[CHKSUM_LENGTH];
    TarUtils.formatCheckSumOctalBytes(TarUtils.computeCheckSum(copy), expected, 0, CHKSUM_LENGTH);
    return java.util.Arrays.equals(header, CHKSUM_OFFSET, CHKSUM_OFFSET + CHKSUM_LENGTH, expected, 0,
        CHKSUM_LENGTH);
  }

  /**
   * One member's content: digested (payload members on a {@link BackgroundDigest} thread, which hashes a chunk while
   * the next is read and written), bounded, errors named after the member; its padding checked to be zero.
   */
  private final class MemberStream extends InputStream {
    private final String name;
    private final long size;
    private final long start;
    private final BackgroundDigest hasher;
    private final MemberCheck check;
    private final boolean pages;
    private byte[] chunk;
    private int chunkFill;
    private long read;
    private boolean done;

    MemberStream(MemberInfo m, MemberCheck check, BackgroundDigest hasher) {
      this(m.name(), m.size(), false, check, hasher, m.isPages());
    }

    MemberStream(String name, long size, boolean last) {
      this(name, size, last, MemberCheck.sha256(), null, false);
    }

    private MemberStream(String name, long size, boolean last, MemberCheck check, BackgroundDigest hasher,
        boolean pages) {
      this.pages = pages;
      this.name = name;
      this.size = size;
      this.hasher = hasher;
      this.check = check;
      this.start = tarBytes.count();
      long end = start + size;
      long padded = (end + ImageOutput.RECORD - 1) / ImageOutput.RECORD * ImageOutput.RECORD;
      long zerosTo = last ? padded + 2 * ImageOutput.RECORD : padded;
      String what = last ? "padding and end-of-archive records after member '" + name + "'"
          : "padding after member '" + name + "'";
      tarBytes.expectZeros(end, zerosTo, at -> corrupt(what + " is not zero at " + where(at)));
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      int n;
      try {
        n = tar.read(b, off, len);
      } catch (IOException e) {
        throw failure(e, "member '" + name + "' (data at " + where(start) + ", " + size + " bytes)", start + read);
      }
      if (n < 0) {
        done = true;
        if (read != size) {
          throw new SaveImageException(SaveImageException.Code.TRUNCATED, "save image " + image + " is truncated:"
              + " member '" + name + "' ends after " + read + " of " + size + " bytes at " + where(start + read));
        }
        return -1;
      }
      digest(b, off, n);
      read += n;
      if (hasher != null) { // a payload member
        payloadRead += n;
        pageBytesRead += pages ? n : 0;
        sinceReport += n;
        if (sinceReport >= 1 << 20) {
          sinceReport = 0;
          report();
        }
      }
      return n;
    }

    void drain() throws IOException {
      while (read(buffer, 0, buffer.length) >= 0) {
        // digest the rest
      }
    }

    String hex() throws IOException {
      if (hasher == null) {
        return check.finish();
      }
      if (chunk != null) {
        hasher.submit(check, chunk, chunkFill);
      }
      return hasher.finish(check);
    }

    private void digest(byte[] b, int off, int n) throws IOException {
      if (hasher == null) {
        check.update(b, off, n);
        return;
      }
      while (n > 0) {
        if (chunk == null) {
          chunk = hasher.buffer();
          chunkFill = 0;
        }
        int k = Math.min(n, chunk.length - chunkFill);
        System.arraycopy(b, off, chunk, chunkFill, k);
        chunkFill += k;
        off += k;
        n -= k;
        if (chunkFill == chunk.length) {
          hasher.submit(check, chunk, chunkFill);
          chunk = null;
        }
      }
    }
  }
}
