package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** save-image-define: the XML is replaced atomically and the image still verifies. */
class SaveImageDefineTest {
  @TempDir Path tmp;

  private Path image(Compression c) throws IOException {
    Path file = tmp.resolve("vlxct-ckimage-dom.img");
    SaveImageWriter.create().compression(c)
        .write(file, TestImages.manifest(), MemberSource.criuDirectory(TestImages.criuDir(tmp, 8)));
    return file;
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void defineReplacesTheXmlAndKeepsEverythingElse(Compression c) throws IOException {
    Path file = image(c);
    Manifest before = SaveImageReader.readManifest(file);
    String xml = TestImages.domainXml("/bin/sh");

    Manifest after = SaveImageEditor.define(file, xml, RunState.PAUSED);

    assertEquals(xml, after.domainXml());
    assertEquals(RunState.PAUSED, after.runState());
    VerifiedImage v = SaveImageReader.verify(file);
    assertEquals(after, v.manifest());
    assertEquals(c, v.compression());
    assertEquals(before.members(), after.members());
    assertEquals(before.host(), after.host());
    assertEquals(before.created(), after.created());
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
    ExtractedImage x = SaveImageReader.extract(file, tmp.resolve("vlxct-ckimage-out"));
    TestImages.assertSameTree(tmp.resolve("vlxct-ckimage-criu"), x.criuDir());
    assertEquals(List.of("vlxct-ckimage-criu", "vlxct-ckimage-dom.img", "vlxct-ckimage-out"), names(tmp));

    Manifest again = SaveImageEditor.define(file, xml, null);
    assertEquals(RunState.PAUSED, again.runState(), "a null run state keeps the recorded one");
  }

  @Test
  void anotherDomainsXmlIsRefusedAndTheImageUntouched() throws IOException {
    Path file = image(Compression.NONE);
    byte[] before = Files.readAllBytes(file);
    String other = TestImages.domainXml("/sbin/init").replace(TestImages.UUID, "00000000-1111-2222-3333-444444444444");
    SaveImageException e = assertThrows(SaveImageException.class, () -> SaveImageEditor.define(file, other, null));
    assertEquals(SaveImageException.Code.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("00000000-1111-2222-3333-444444444444")
        && e.getMessage().contains(TestImages.UUID), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file));

    SaveImageException bad = assertThrows(SaveImageException.class,
        () -> SaveImageEditor.define(file, "<domain type='kvm'>", null));
    assertEquals(SaveImageException.Code.INVALID_ARGUMENT, bad.code());
    assertArrayEquals(before, Files.readAllBytes(file));
  }

  @Test
  void aCorruptImageIsNotRewritten() throws IOException {
    Path file = image(Compression.NONE);
    byte[] bytes = Files.readAllBytes(file);
    int at = SaveImageIntegrityTest.headerOf(bytes, "criu/pages-2.img") + 512 + 5000;
    bytes[at] ^= 0x55;
    Files.write(file, bytes);
    SaveImageException e = assertThrows(SaveImageException.class,
        () -> SaveImageEditor.define(file, TestImages.domainXml("/bin/sh"), null));
    assertTrue(e.getMessage().contains("member 'criu/pages-2.img' is corrupt"), e.getMessage());
    assertArrayEquals(bytes, Files.readAllBytes(file));
    assertEquals(List.of("vlxct-ckimage-criu", "vlxct-ckimage-dom.img"), names(tmp));
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
