package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Damaged images are refused with an error naming what is damaged, and extraction leaves nothing behind. */
class SaveImageIntegrityTest {
  @TempDir Path tmp;

  private byte[] image(Compression c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SaveImageWriter.create().compression(c)
        .writeTo(out, TestImages.manifest(), MemberSource.criuDirectory(TestImages.smallCriuDir(tmp)));
    return out.toByteArray();
  }

  private SaveImageException verifyFails(byte[] bytes) throws IOException {
    Path f = tmp.resolve("vlxct-ckimage-bad.img");
    Files.write(f, bytes);
    return assertThrows(SaveImageException.class, () -> SaveImageReader.verify(f));
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void everySingleFlippedByteIsFoundAndTheMemberNamed(Compression c) throws IOException {
    byte[] good = image(c);
    SaveImageReader.verify(new java.io.ByteArrayInputStream(good), "good");
    List<String> undetected = new ArrayList<>();
    for (int off = 0; off < good.length; off++) {
      byte[] bad = good.clone();
      bad[off] ^= 0x10;
      try {
        SaveImageReader.verify(new java.io.ByteArrayInputStream(bad), "bad");
        undetected.add(Integer.toString(off));
      } catch (SaveImageException e) {
        assertTrue(Set.of(SaveImageException.Code.CORRUPT, SaveImageException.Code.NOT_AN_IMAGE,
            SaveImageException.Code.TRUNCATED).contains(e.code()), "offset " + off + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("member '") || e.getMessage().contains("compressed stream"),
            "offset " + off + " names no member: " + e.getMessage());
      }
    }
    assertEquals(List.of(), undetected, "flips verify did not notice, of " + good.length + " bytes");
  }

  @Test
  void aFlippedByteInsideAPayloadMemberNamesThatMember() throws IOException {
    byte[] good = image(Compression.NONE);
    int at = headerOf(good, "criu/pages-1.img") + 512 + 100;
    byte[] bad = good.clone();
    bad[at] ^= 1;
    SaveImageException e = verifyFails(bad);
    assertEquals(SaveImageException.Code.CORRUPT, e.code());
    long size = Files.size(tmp.resolve("vlxct-ckimage-small/pages-1.img"));
    assertTrue(e.getMessage().contains("member 'criu/pages-1.img' is corrupt: the CRC32C of its bytes 0 to "
        + Math.min(size, MemberCheck.CHUNK) + " is "), e.getMessage());
  }

  @Test
  void aChangedPageChecksumListIsFoundByItsSha256() throws IOException {
    byte[] good = image(Compression.NONE);
    int at = headerOf(good, MemberNames.PAGE_SUMS) + 512 + 3; // a hex digit of the first CRC
    byte[] bad = good.clone();
    bad[at] = (byte) (bad[at] == '0' ? '1' : '0');
    SaveImageException e = verifyFails(bad);
    assertTrue(e.getMessage().contains("member '" + MemberNames.PAGE_SUMS + "' is corrupt: its SHA-256 is "),
        e.getMessage());
  }

  /** Images of format 1 (every member in SHA256SUMS, no CRC32CSUMS) are still read, and their damage found. */
  @Test
  void aFormat1ImageIsStillReadAndChecked() throws IOException {
    Path criu = TestImages.criuDir(tmp, 2);
    List<MemberSource> members = MemberSource.criuDirectory(criu);
    Manifest m = TestImages.manifest();
    Manifest v1 = new Manifest(1, m.domainName(), m.domainUuid(), m.domainXml(), m.created(), m.runState(),
        Compression.NONE, m.host(), m.cgroupLimits(), m.criuExternals(), m.processCount(), m.memoryPages(),
        m.pageSize(), members.stream().map(MemberSource::info).toList());
    Path f = tmp.resolve("vlxct-ckimage-v1.img");
    try (var out = Files.newOutputStream(f); ImageOutput image = new ImageOutput(out, v1,
        WriteProgress.Listener.NONE)) {
      for (MemberSource ms : members) {
        image.addMember(ms.info(), ms.file());
      }
      image.finish();
    }
    byte[] good = Files.readAllBytes(f);
    assertThrows(AssertionError.class, () -> headerOf(good, MemberNames.PAGE_SUMS), "format 1 has no "
        + MemberNames.PAGE_SUMS);
    VerifiedImage v = SaveImageReader.verify(f);
    assertEquals(1, v.manifest().formatVersion());
    assertTrue(v.members().stream().allMatch(d -> d.algorithm() == MemberDigest.Algorithm.SHA256), v.members()
        .toString());
    ExtractedImage x = SaveImageReader.extract(f, tmp.resolve("vlxct-ckimage-v1-out"));
    TestImages.assertSameTree(criu, x.criuDir());

    byte[] bad = good.clone();
    bad[headerOf(good, "criu/pages-2.img") + 512 + (1 << 20) + 9] ^= 2;
    SaveImageException e = verifyFails(bad);
    assertTrue(e.getMessage().contains("member 'criu/pages-2.img' is corrupt: its SHA-256 is "), e.getMessage());

    // save-image-define keeps the format, so that the virt-lxc which wrote it still reads it
    Files.write(f, good);
    SaveImageEditor.define(f, TestImages.domainXml("/sbin/init-edited"), RunState.PAUSED);
    VerifiedImage edited = SaveImageReader.verify(f);
    assertEquals(1, edited.manifest().formatVersion());
    assertEquals(RunState.PAUSED, edited.manifest().runState());
    assertTrue(edited.manifest().domainXml().contains("/sbin/init-edited"), edited.manifest().domainXml());
    assertThrows(AssertionError.class, () -> headerOf(Files.readAllBytes(f), MemberNames.PAGE_SUMS));
  }

  @Test
  void aFlippedPaddingByteNamesTheMemberBeforeIt() throws IOException {
    byte[] good = image(Compression.NONE);
    long inventory = Files.size(tmp.resolve("vlxct-ckimage-small/inventory.img"));
    int header = headerOf(good, "criu/inventory.img");
    int at = header + 512 + (int) inventory + 3;
    assertTrue(inventory % 512 < 509, "the test file leaves room for padding");
    byte[] bad = good.clone();
    bad[at] = 1;
    SaveImageException e = verifyFails(bad);
    assertTrue(e.getMessage().contains("padding after member 'criu/inventory.img' is not zero at offset " + at),
        e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void truncationAnywhereIsReportedAsTruncation(Compression c) throws IOException {
    byte[] good = image(c);
    int pages = c == Compression.NONE ? headerOf(good, "criu/pages-1.img") : -1;
    List<Integer> cuts = new ArrayList<>(List.of(1, 100, 511, 512, 700, 1024, good.length / 3, good.length / 2,
        good.length - 1025, good.length - 1024, good.length - 600, good.length - 512, good.length - 1));
    if (pages > 0) {
      cuts.add(pages + 512 + 10);
    }
    for (int cut : cuts) {
      SaveImageException e = verifyFails(Arrays.copyOf(good, cut));
      assertEquals(SaveImageException.Code.TRUNCATED, e.code(), "cut at " + cut + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("is truncated"), e.getMessage());
    }
    SaveImageException empty = verifyFails(new byte[0]);
    assertEquals(SaveImageException.Code.NOT_AN_IMAGE, empty.code());
  }

  @Test
  void extractionOfADamagedImageLeavesNoDirectory() throws IOException {
    byte[] bad = image(Compression.ZSTD);
    bad = Arrays.copyOf(bad, bad.length - 40);
    Path f = tmp.resolve("vlxct-ckimage-cut.img");
    Files.write(f, bad);
    Path out = tmp.resolve("vlxct-ckimage-out");
    assertThrows(SaveImageException.class, () -> SaveImageReader.extract(f, out));
    assertFalse(Files.exists(out), "extraction target removed");

    Path existing = Files.createDirectory(tmp.resolve("vlxct-ckimage-existing"));
    assertThrows(SaveImageException.class, () -> SaveImageReader.extract(f, existing));
    assertTrue(Files.isDirectory(existing), "a directory the caller made stays");
    try (var s = Files.list(existing)) {
      assertEquals(0, s.count(), "and is emptied");
    }
  }

  /** Large members of an uncompressed image file are copied by the kernel and hashed from the file's pages. */
  @Test
  void extractionOfAFileWithLargeMembersStillFindsEveryDamage() throws IOException {
    Path criu = TestImages.criuDir(tmp, 3);
    byte[] odd = new byte[(1 << 20) + 100];
    new java.util.Random(5).nextBytes(odd);
    Files.write(criu.resolve("pages-3.img"), odd);
    Path f = tmp.resolve("vlxct-ckimage-large.img");
    SaveImageWriter.create().write(f, TestImages.manifest(), MemberSource.criuDirectory(criu));
    byte[] good = Files.readAllBytes(f);
    ExtractedImage x = SaveImageReader.extract(f, tmp.resolve("vlxct-ckimage-good"));
    TestImages.assertSameTree(criu, x.criuDir());
    assertEquals(Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(x.criuDir().resolve("pages-2.img")));

    int pages2 = headerOf(good, "criu/pages-2.img") + 512;
    int pages3 = headerOf(good, "criu/pages-3.img") + 512;
    byte[] flipped = good.clone();
    flipped[pages2 + (2 << 20) + 7] ^= 4;
    byte[] padding = good.clone();
    padding[pages3 + odd.length + 5] = 1;
    byte[] cut = Arrays.copyOf(good, pages2 + (1 << 20));
    for (byte[] bad : List.of(flipped, padding, cut)) {
      Files.write(f, bad);
      Path out = tmp.resolve("vlxct-ckimage-bad-out");
      SaveImageException e = assertThrows(SaveImageException.class, () -> SaveImageReader.extract(f, out));
      String expected = bad == flipped ? "member 'criu/pages-2.img' is corrupt: the CRC32C of its bytes " + (2 << 20)
              + " to " + (3 << 20) + " is "
          : bad == padding ? "padding after member 'criu/pages-3.img' is not zero at offset " + (pages3 + odd.length + 5)
          : "is truncated: member 'criu/pages-2.img' ends after " + (1 << 20) + " of " + (3 << 20) + " bytes";
      assertTrue(e.getMessage().contains(expected), e.getMessage());
      assertFalse(Files.exists(out), "extraction target removed");
    }
  }

  @Test
  void extractionRefusesANonEmptyDirectory() throws IOException {
    Path f = tmp.resolve("vlxct-ckimage-ok.img");
    Files.write(f, image(Compression.NONE));
    Path dir = Files.createDirectory(tmp.resolve("vlxct-ckimage-full"));
    Files.writeString(dir.resolve("keep"), "x");
    SaveImageException e = assertThrows(SaveImageException.class, () -> SaveImageReader.extract(f, dir));
    assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    assertEquals("x", Files.readString(dir.resolve("keep")));
  }

  @Test
  void aNewerFormatVersionIsRefusedClearly() throws IOException {
    Manifest m = TestImages.manifest();
    Manifest future = new Manifest(SaveImageFormat.VERSION + 1, m.domainName(), m.domainUuid(), m.domainXml(),
        m.created(), m.runState(), Compression.NONE, m.host(), m.cgroupLimits(), m.criuExternals(),
        m.processCount(), m.memoryPages(), m.pageSize(), List.of());
    Path f = tmp.resolve("vlxct-ckimage-future.img");
    try (var out = Files.newOutputStream(f)) {
      new ImageOutput(out, future, WriteProgress.Listener.NONE).finish();
    }
    SaveImageException e = assertThrows(SaveImageException.class, () -> SaveImageReader.readManifest(f));
    assertEquals(SaveImageException.Code.UNSUPPORTED_VERSION, e.code());
    assertEquals("save image " + f + " has format version " + (SaveImageFormat.VERSION + 1)
        + "; this virt-lxc reads up to " + SaveImageFormat.VERSION, e.getMessage());
    assertEquals(SaveImageException.Code.UNSUPPORTED_VERSION,
        assertThrows(SaveImageException.class, () -> SaveImageReader.verify(f)).code());
  }

  @Test
  void aFileThatIsNoImageIsSaidToBeNone() throws IOException {
    Path f = tmp.resolve("vlxct-ckimage-text.img");
    Files.writeString(f, "hello, this is not a save image\n".repeat(100));
    SaveImageException e = assertThrows(SaveImageException.class, () -> SaveImageReader.readManifest(f));
    assertEquals(SaveImageException.Code.NOT_AN_IMAGE, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("is not a virt-lxc save image"), e.getMessage());
  }

  /** The offset of the tar header of member {@code name} in a plain image. */
  @Test
  void theManifestReadsEvenWhenTheRestIsDamaged() throws IOException {
    byte[] good = image(Compression.NONE);
    int payload = headerOf(good, "criu/inventory.img");
    Path f = tmp.resolve("vlxct-ckimage-head.img");
    Files.write(f, Arrays.copyOf(good, payload + 100));
    assertEquals(TestImages.NAME, SaveImageReader.readManifest(f).domainName());
    assertEquals(SaveImageException.Code.TRUNCATED,
        assertThrows(SaveImageException.class, () -> SaveImageReader.verify(f)).code());
  }

  @Test
  void aManifestLackingAFieldNamesTheField() throws IOException {
    String json = new String(ManifestJson.write(TestImages.manifest()), java.nio.charset.StandardCharsets.UTF_8)
        .replaceFirst("\"uuid\" : \"[^\"]*\",", "");
    byte[] manifest = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path f = tmp.resolve("vlxct-ckimage-nouuid.img");
    try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(f))) {
      for (var member : List.of(java.util.Map.entry(MemberNames.MANIFEST, manifest), java.util.Map.entry(
          MemberNames.MANIFEST_SUM, DigestList.format(java.util.Map.of(MemberNames.MANIFEST,
              ImageOutput.sha256(manifest)))))) {
        var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(member.getKey());
        e.setSize(member.getValue().length);
        tar.putArchiveEntry(e);
        tar.write(member.getValue());
        tar.closeArchiveEntry();
      }
    }
    SaveImageException e = assertThrows(SaveImageException.class, () -> SaveImageReader.readManifest(f));
    assertEquals(SaveImageException.Code.CORRUPT, e.code());
    assertEquals("save image " + f + ": member 'manifest.json' is invalid: field \"domain.uuid\" is missing",
        e.getMessage());
  }

  static int headerOf(byte[] image, String name) {
    byte[] needle = (name + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + needle.length <= image.length; i += 512) {
      for (int j = 0; j < needle.length; j++) {
        if (image[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("no tar header for " + name);
  }
}
