package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore's unpack that leaves CRIU's page images in the save image file: they are checked like every member but
 * not copied, their places are recorded ({@link MembersInPlace}), and {@link CriuImageServer} refuses a file that is
 * no longer the one checked. (CRIU reading them through the server is exercised by the integration tests.)
 */
class PagesInPlaceTest {
  @TempDir Path tmp;

  private Path criu;
  private Path image;

  private Path plainImage() throws IOException {
    criu = TestImages.criuDir(tmp, 3);
    image = tmp.resolve("vlxct-inplace.img");
    SaveImageWriter.create().write(image, TestImages.manifest(), MemberSource.criuDirectory(criu));
    return image;
  }

  private ExtractedImage extract(Path file, Path dir) throws IOException {
    return SaveImageReader.extractLeavingPages(file, dir, m -> { }, WriteProgress.Listener.NONE);
  }

  @Test
  void pageImagesStayInTheFileAndTheirRegionsHoldTheirBytes() throws IOException {
    plainImage();
    ExtractedImage x = extract(image, tmp.resolve("vlxct-inplace-out"));

    MembersInPlace in = x.inPlace().orElseThrow();
    assertEquals(image.toRealPath(), in.image());
    assertEquals(FileIdentity.of(image), in.identity());
    assertEquals(List.of("pages-1.img", "pages-2.img"), in.files().keySet().stream().sorted().toList());
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
      for (Map.Entry<String, MembersInPlace.Region> e : in.files().entrySet()) {
        byte[] bytes = new byte[Math.toIntExact(e.getValue().size())];
        f.seek(e.getValue().offset());
        f.readFully(bytes);
        assertArrayEquals(Files.readAllBytes(criu.resolve(e.getKey())), bytes, e.getKey() + " at its region");
      }
    }
    for (String name : List.of("pages-1.img", "pages-2.img")) {
      assertFalse(Files.exists(x.criuDir().resolve(name)), name + " is not unpacked");
    }
    for (String name : List.of("inventory.img", "pstree.img", "core-1.img", "mm-1.img", "pagemap-1.img",
        "empty.img")) {
      assertEquals(-1L, Files.mismatch(criu.resolve(name), x.criuDir().resolve(name)), name + " is unpacked");
    }
  }

  @Test
  void damageInAPageImageLeftInPlaceIsStillFoundAndNothingIsLeftBehind() throws IOException {
    plainImage();
    byte[] good = Files.readAllBytes(image);
    int pages1 = SaveImageIntegrityTest.headerOf(good, "criu/pages-1.img") + 512;
    int pages2 = SaveImageIntegrityTest.headerOf(good, "criu/pages-2.img") + 512;
    byte[] small = good.clone();
    small[pages1 + 1000] ^= 1;
    byte[] large = good.clone();
    large[pages2 + (2 << 20) + 3] ^= 0x40;
    byte[] cut = Arrays.copyOf(good, pages2 + (1 << 20));
    for (byte[] bad : List.of(small, large, cut)) {
      Files.write(image, bad);
      Path out = tmp.resolve("vlxct-inplace-bad");
      SaveImageException e = assertThrows(SaveImageException.class, () -> extract(image, out));
      String expected = bad == small ? "member 'criu/pages-1.img' is corrupt: the CRC32C of its bytes 0 to "
          : bad == large ? "member 'criu/pages-2.img' is corrupt: the CRC32C of its bytes " + (2 << 20)
          : "is truncated: member 'criu/pages-2.img' ends after " + (1 << 20) + " of " + (3 << 20) + " bytes";
      assertTrue(e.getMessage().contains(expected), e.getMessage());
      assertFalse(Files.exists(out), "extraction target removed");
    }
  }

  @Test
  void aCompressedImageIsUnpackedWhole() throws IOException {
    criu = TestImages.criuDir(tmp, 2);
    image = tmp.resolve("vlxct-inplace.zst");
    SaveImageWriter.create().compression(Compression.ZSTD).write(image, TestImages.manifest(),
        MemberSource.criuDirectory(criu));
    assertEquals(Compression.ZSTD, SaveImageReader.compressionOf(image));
    ExtractedImage x = extract(image, tmp.resolve("vlxct-inplace-out"));
    assertEquals(Optional.empty(), x.inPlace());
    TestImages.assertSameTree(criu, x.criuDir());
  }

  @Test
  void theRecordOfPlacesReadsBackAndABadOneNamesItsFile() throws IOException {
    plainImage();
    assertEquals(Compression.NONE, SaveImageReader.compressionOf(image));
    ExtractedImage x = extract(image, tmp.resolve("vlxct-inplace-out"));
    MembersInPlace in = x.inPlace().orElseThrow();
    in.write(x.criuDir());
    assertEquals(Optional.of(in), MembersInPlace.read(x.criuDir()));
    assertEquals(Optional.empty(), MembersInPlace.read(tmp));

    Path record = x.criuDir().resolve(MembersInPlace.FILE);
    Files.writeString(record, Files.readString(record).replaceFirst("file\\.pages-1\\.img=\\d+,", "file.pages-1.img="));
    IOException e = assertThrows(IOException.class, () -> MembersInPlace.read(x.criuDir()));
    assertTrue(e.getMessage().contains(record + " is unusable: file.pages-1.img must be OFFSET,SIZE"),
        e.getMessage());
  }

  @Test
  void theServerRefusesASaveImageThatChangedSinceItWasChecked() throws IOException {
    plainImage();
    ExtractedImage x = extract(image, tmp.resolve("vlxct-inplace-out"));
    MembersInPlace in = x.inPlace().orElseThrow();
    Files.setLastModifiedTime(image, FileTime.fromMillis(Files.getLastModifiedTime(image).toMillis() - 1000));
    IOException e = assertThrows(IOException.class, () -> CriuImageServer.start(x.criuDir(), in));
    assertTrue(e.getMessage().endsWith("the save image " + image.toRealPath() + " changed since it was verified: it"
        + " was modified"), e.getMessage());
    Files.write(image, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    e = assertThrows(IOException.class, () -> CriuImageServer.start(x.criuDir(), in));
    assertTrue(e.getMessage().endsWith("changed since it was verified: its size is " + (in.identity().size() + 1)
        + " bytes, was " + in.identity().size()), e.getMessage());
    assertFalse(Files.exists(x.criuDir().resolve(CriuImageServer.SOCKET)), "no socket left");

    Path real = image.toRealPath();
    Files.delete(image);
    e = assertThrows(IOException.class, () -> CriuImageServer.start(x.criuDir(), in));
    assertTrue(e.getMessage().contains("open " + real + ": No such file or directory"), e.getMessage());
  }

  @Test
  void theServerListensInTheImagesDirectoryAndRemovesItsSocket() throws IOException {
    plainImage();
    ExtractedImage x = extract(image, tmp.resolve("vlxct-inplace-out"));
    try (CriuImageServer server = CriuImageServer.start(x.criuDir(), x.inPlace().orElseThrow())) {
      assertTrue(Files.exists(x.criuDir().resolve(CriuImageServer.SOCKET)));
      assertEquals(Optional.empty(), server.failure());
    }
    assertFalse(Files.exists(x.criuDir().resolve(CriuImageServer.SOCKET)));
    assertFalse(CriuImageServer.fits(tmp.resolve("x".repeat(120))), "too long for a unix socket address");
  }

  @Test
  void criuRequestsAndRepliesAreItsProtobufMessages() throws IOException {
    byte[] name = "pages-12.img".getBytes(StandardCharsets.UTF_8);
    byte[] request = new byte[2 + name.length];
    request[0] = 0x0a; // field 1, length-delimited
    request[1] = (byte) name.length;
    System.arraycopy(name, 0, request, 2, name.length);
    assertEquals("pages-12.img", CriuImageServer.fileName(request));
    byte[] withUnknownField = Arrays.copyOf(request, request.length + 2);
    withUnknownField[request.length] = 0x10; // field 2, varint
    withUnknownField[request.length + 1] = 0x05;
    assertEquals("pages-12.img", CriuImageServer.fileName(withUnknownField));
    IOException e = assertThrows(IOException.class, () -> CriuImageServer.fileName(new byte[] {0x0a, 0x30, 'a'}));
    assertTrue(e.getMessage().contains("malformed"), e.getMessage());
    assertThrows(IOException.class, () -> CriuImageServer.fileName(new byte[0]));

    byte[] yes = CriuImageServer.reply(true);
    assertEquals(6, yes.length);
    assertEquals(2, java.nio.ByteBuffer.wrap(yes).order(java.nio.ByteOrder.nativeOrder()).getInt());
    assertArrayEquals(new byte[] {0x08, 0x01}, Arrays.copyOfRange(yes, 4, 6));
    assertArrayEquals(new byte[] {0x08, 0x00}, Arrays.copyOfRange(CriuImageServer.reply(false), 4, 6));
  }
}
