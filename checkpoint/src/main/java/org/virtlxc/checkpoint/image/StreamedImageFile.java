package org.virtlxc.checkpoint.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * An uncompressed save image file written while CRIU dumps, so that CRIU's pages reach the file once, without a second
 * pass: {@link #streamPages} makes CRIU's page images FIFOs that {@link PageFifoReader} moves into the file as CRIU
 * writes them; once CRIU has ended, {@link #finish} appends CRIU's other files and the extras, then writes the start of
 * the image, which was left free: the manifest (it lists every member, so it is known last), its digest, and a member
 * {@value #PADDING} of zeros (a hole in the file) up to the first page image. The result is an ordinary save image
 * (manifest first, the trailer's checks of every member), read in one pass like any other; only its member order
 * differs (the streamed page images first). Then fsynced and renamed over the target, as {@link SaveImageWriter#write}
 * does; {@link #close} before that removes the temporary file, leaving the target untouched.
 */
public final class StreamedImageFile implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(StreamedImageFile.class);
  /** The member that fills the room left for the manifest. */
  static final String PADDING = MemberNames.EXTRA_PREFIX + "padding";
  /**
   * Room for the start of the image besides the domain XML (which the manifest holds, escaped at worst 6-fold) and the
   * members' list (CRIU writes about 8 files per process, listed in about 50 bytes each).
   */
  private static final long HEAD_ROOM = 32 << 10;
  private static final long ROOM_PER_PROCESS = 2 << 10;

  private final Path target;
  private final Path temp;
  private final FileChannel channel;
  private final long head;
  private PageFifoReader pages;
  private boolean committed;

  private StreamedImageFile(Path target, Path temp, FileChannel channel, long head) {
    this.target = target;
    this.temp = temp;
    this.channel = channel;
    this.head = head;
  }

  /**
   * Starts the image that will replace {@code target}: a temporary file next to it, with room at its start for a
   * manifest holding {@code domainXml} and the files of a dump of {@code processes} processes.
   */
  public static StreamedImageFile create(Path target, String domainXml, int processes) throws IOException {
    Path temp = AtomicFile.createTemp(target);
    try {
      FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
      long room = HEAD_ROOM + 6L * domainXml.length() + ROOM_PER_PROCESS * Math.max(1, processes);
      return new StreamedImageFile(target, temp, ch, (room + 4095) / 4096 * 4096);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  /**
   * Before CRIU dumps into {@code criuDir}: makes its page images {@code pages-1.img} to {@code pages-COUNT.img}
   * FIFOs and starts moving what CRIU writes into them into the image. Call {@link #criuEnded} once CRIU has exited.
   */
  public void streamPages(Path criuDir, int count) throws IOException {
    if (pages != null) {
      throw new IllegalStateException("pages are streamed already");
    }
    // the first page image's content starts at a page boundary
    pages = new PageFifoReader(criuDir, count, temp, channel, head - ImageOutput.RECORD);
  }

  /** CRIU has exited, whatever the outcome. */
  public void criuEnded() {
    if (pages != null) {
      pages.criuEnded();
    }
  }

  /** Page bytes in the image so far. */
  public long pageBytesStreamed() {
    return pages == null ? 0 : pages.bytesMoved();
  }

  /**
   * Once CRIU has ended: the page images streamed into the image, in image order (their FIFOs are removed, the other
   * page images CRIU wrote are plain files in its directory); throws what went wrong writing them (a full disk).
   */
  public List<MemberSource> streamedMembers() throws IOException {
    List<MemberSource> out = new ArrayList<>();
    for (PageFifoReader.Streamed s : streamed()) {
      out.add(new MemberSource(s.name(), s.size(), () -> {
        throw new IOException("member " + s.name() + " is in the image already");
      }));
    }
    return out;
  }

  private List<PageFifoReader.Streamed> streamed() throws IOException {
    return pages == null ? List.of() : pages.await();
  }

  /**
   * Completes the image and replaces the target with it: {@code members} must start with {@link #streamedMembers}
   * (in that order); the others are copied in after them.
   *
   * @param manifest what the manifest says besides the members (its members and compression are replaced)
   * @return the manifest as written
   */
  public Manifest finish(Manifest manifest, List<MemberSource> members, WriteProgress.Listener listener)
      throws IOException {
    long t0 = System.nanoTime();
    List<PageFifoReader.Streamed> streamed = streamed();
    long t1 = System.nanoTime();
    for (int i = 0; i < streamed.size(); i++) {
      PageFifoReader.Streamed s = streamed.get(i);
      if (i >= members.size() || !members.get(i).info().equals(new MemberInfo(s.name(), s.size()))) {
        throw new IllegalArgumentException("members must start with the streamed page images " + streamed);
      }
    }
    List<MemberSource> rest = members.subList(streamed.size(), members.size());
    long firstHeader = head - ImageOutput.RECORD;
    Head h = head(manifest, members, firstHeader);
    Map<String, String> written = new LinkedHashMap<>();
    written.put(MemberNames.MANIFEST, ImageOutput.sha256(h.json()));
    written.put(MemberNames.MANIFEST_SUM, ImageOutput.sha256(h.sum()));
    written.put(PADDING, zerosSha256(h.padding()));
    for (PageFifoReader.Streamed s : streamed) {
      written.put(s.name(), s.check());
    }
    channel.position(pages == null ? firstHeader : pages.end());
    OutputStream out = Channels.newOutputStream(channel);
    try (ImageOutput image = new ImageOutput(out, channel, h.manifest(), listener, written)) {
      for (MemberSource m : rest) {
        if (m.file() != null) {
          image.addMember(m.info(), m.file());
        } else {
          try (var in = m.opener().open()) {
            image.addMember(m.info(), in);
          }
        }
      }
      image.finish();
    }
    writeAt(0, h.records());
    long mtime = ImageOutput.mtimeMillis(h.manifest());
    for (PageFifoReader.Streamed s : streamed) {
      writeAt(s.headerOffset(), TarHeader.single(ImageOutput.entry(s.name(), s.size(), mtime)));
    }
    long t2 = System.nanoTime();
    channel.force(true);
    channel.close();
    AtomicFile.commit(temp, target);
    committed = true;
    LOG.info("wrote save image {} ({} members, {} of them streamed while CRIU dumped, {} payload bytes; after CRIU:"
        + " {} ms until the page images were hashed, {} ms for the other members, {} ms fsync and rename)", target,
        h.manifest().members().size(), streamed.size(), h.manifest().payloadBytes(), (t1 - t0) / 1_000_000,
        (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
    return h.manifest();
  }

  /** Removes the temporary file unless the image was committed; stops moving pages (CRIU must have ended). */
  @Override
  public void close() {
    if (pages != null) {
      pages.close();
    }
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing {}: {}", temp, e.toString());
    }
    if (!committed) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        LOG.warn("unable to remove temporary file {}: {}", temp, e.toString());
      }
    }
  }

  /** The start of the image: its tar records, and the manifest they hold. */
  private record Head(Manifest manifest, byte[] json, byte[] sum, long padding, byte[] records) {}

  /**
   * The manifest (listing {@link #PADDING} first, sized so that the records end at {@code end}), its digest member
   * and the padding's header. The padding's size is in the manifest, so it is found by iterating (its digits settle).
   */
  private static Head head(Manifest manifest, List<MemberSource> members, long end) throws IOException {
    long padding = 0;
    for (int round = 0; round < 8; round++) {
      List<MemberInfo> infos = new ArrayList<>();
      infos.add(new MemberInfo(PADDING, padding));
      members.forEach(m -> infos.add(m.info()));
      Manifest full = manifest.withWriteDetails(Compression.NONE, infos);
      byte[] json = ManifestJson.write(full);
      byte[] sum = DigestList.format(Map.of(MemberNames.MANIFEST, ImageOutput.sha256(json)));
      long mtime = ImageOutput.mtimeMillis(full);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      TarArchiveOutputStream tar = TarHeader.configure(new TarArchiveOutputStream(bytes, ImageOutput.RECORD));
      tar.putArchiveEntry(ImageOutput.entry(MemberNames.MANIFEST, json.length, mtime));
      tar.write(json);
      tar.closeArchiveEntry();
      tar.putArchiveEntry(ImageOutput.entry(MemberNames.MANIFEST_SUM, sum.length, mtime));
      tar.write(sum);
      tar.closeArchiveEntry();
      tar.flush();
      long before = bytes.size() + ImageOutput.RECORD; // and the padding's header
      long fits = end - before;
      if (fits < 0) {
        throw new IOException("the manifest (" + json.length + " bytes) does not fit the " + end
            + " bytes left for it at the start of the image");
      }
      if (fits == padding) {
        bytes.write(TarHeader.of(ImageOutput.entry(PADDING, padding, mtime)));
        return new Head(full, json, sum, padding, bytes.toByteArray());
      }
      padding = fits;
    }
    throw new IllegalStateException("the manifest's size did not settle");
  }

  private void writeAt(long position, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      position += channel.write(b, position);
    }
  }

  private static String zerosSha256(long length) {
    Sha256 md = Sha256.create();
    byte[] zeros = new byte[64 << 10];
    for (long left = length; left > 0; left -= zeros.length) {
      md.update(zeros, 0, (int) Math.min(zeros.length, left));
    }
    return DigestList.hex(md.digest());
  }
}
