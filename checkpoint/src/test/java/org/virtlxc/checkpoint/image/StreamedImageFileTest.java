package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StreamedImageFile} with a stand-in for CRIU: a thread that opens the page images in CRIU's order (ids from 1,
 * one at a time) and writes into them what the real dump left in {@link TestImages#criuDir}.
 */
class StreamedImageFileTest {
  @TempDir Path tmp;

  @Test
  void pagesStreamedThroughFifosMakeAnImageThatReadsBackLikeAnyOther() throws Exception {
    Path source = TestImages.criuDir(tmp, 70); // more than one digest region
    Path dump = smallFilesOf(source);
    Path file = tmp.resolve("vlxct-ckimage-streamed.img");
    Files.writeString(file, "an older file\n");
    List<WriteProgress> progress = new ArrayList<>();
    Manifest written;
    try (StreamedImageFile image = StreamedImageFile.create(file, TestImages.domainXml("/sbin/init"), 3)) {
      image.streamPages(dump, 4);
      criu(dump, source, List.of("pages-1.img", "pages-2.img")).get(60, TimeUnit.SECONDS);
      image.criuEnded();
      List<MemberSource> members = new ArrayList<>(image.streamedMembers());
      assertEquals(List.of("criu/pages-1.img", "criu/pages-2.img"), members.stream().map(MemberSource::name).toList());
      assertEquals(List.of(), fifos(dump), "the FIFOs are removed");
      members.addAll(MemberSource.criuDirectory(dump));
      written = image.finish(TestImages.manifest(), members, progress::add);
    }

    VerifiedImage v = SaveImageReader.verify(file);
    assertEquals(written, v.manifest());
    assertEquals(StreamedImageFile.PADDING, written.members().get(0).name());
    byte[] firstPage = java.util.Arrays.copyOf(Files.readAllBytes(source.resolve("pages-1.img")), 4096);
    assertEquals(0, indexOf(Files.readAllBytes(file), firstPage) % 4096, "the first page image starts on a page");
    assertEquals(100, progress.get(progress.size() - 1).percent());
    ExtractedImage x = SaveImageReader.extract(file, tmp.resolve("vlxct-ckimage-out"));
    TestImages.assertSameTree(source, x.criuDir());
    assertEquals(List.of(file), siblingsOf(file), "no temporary file left");
  }

  @Test
  void aPageImageOpenedAndClosedEmptyIsAnEmptyMemberAndOnesPastTheFifosArePlainFiles() throws Exception {
    Path source = TestImages.smallCriuDir(tmp);
    Files.write(source.resolve("pages-2.img"), new byte[0]);
    Files.write(source.resolve("pages-3.img"), new byte[] {1, 2, 3});
    Path dump = smallFilesOf(source);
    Path file = tmp.resolve("vlxct-ckimage-streamed.img");
    try (StreamedImageFile image = StreamedImageFile.create(file, TestImages.domainXml("/sbin/init"), 3)) {
      image.streamPages(dump, 2);
      criu(dump, source, List.of("pages-1.img", "pages-2.img")).get(60, TimeUnit.SECONDS);
      Files.copy(source.resolve("pages-3.img"), dump.resolve("pages-3.img")); // no FIFO for it: CRIU makes a file
      image.criuEnded();
      List<MemberSource> members = new ArrayList<>(image.streamedMembers());
      assertEquals(List.of(0L), members.stream().skip(1).map(MemberSource::size).toList());
      members.addAll(MemberSource.criuDirectory(dump));
      image.finish(TestImages.manifest(), members, WriteProgress.Listener.NONE);
    }
    ExtractedImage x = SaveImageReader.extract(file, tmp.resolve("vlxct-ckimage-out"));
    TestImages.assertSameTree(source, x.criuDir());
  }

  @Test
  void pageImagesCriuNeverOpensAreLeftOutAndAFlippedPageByteIsFound() throws Exception {
    Path source = TestImages.smallCriuDir(tmp);
    Path dump = smallFilesOf(source);
    Path file = tmp.resolve("vlxct-ckimage-streamed.img");
    try (StreamedImageFile image = StreamedImageFile.create(file, TestImages.domainXml("/sbin/init"), 3)) {
      image.streamPages(dump, 8);
      criu(dump, source, List.of("pages-1.img")).get(60, TimeUnit.SECONDS);
      image.criuEnded();
      List<MemberSource> members = new ArrayList<>(image.streamedMembers());
      assertEquals(1, members.size());
      members.addAll(MemberSource.criuDirectory(dump));
      image.finish(TestImages.manifest(), members, WriteProgress.Listener.NONE);
    }
    SaveImageReader.verify(file);
    byte[] bytes = Files.readAllBytes(file);
    int at = indexOf(bytes, Files.readAllBytes(source.resolve("pages-1.img")));
    assertTrue(at > 0, "page image content found in the image");
    bytes[at + 17] ^= 0x20;
    Path flipped = Files.write(tmp.resolve("vlxct-ckimage-flipped.img"), bytes);
    SaveImageException e = assertThrows(SaveImageException.class, () -> SaveImageReader.verify(flipped));
    assertTrue(e.getMessage().contains("criu/pages-1.img") && e.getMessage().contains("corrupt"), e.getMessage());
  }

  @Test
  void closedBeforeFinishLeavesTheTargetAsItWas() throws Exception {
    Path source = TestImages.smallCriuDir(tmp);
    Path dump = smallFilesOf(source);
    Path file = tmp.resolve("vlxct-ckimage-streamed.img");
    Files.writeString(file, "an older file\n");
    try (StreamedImageFile image = StreamedImageFile.create(file, TestImages.domainXml("/sbin/init"), 3)) {
      image.streamPages(dump, 3);
      criu(dump, source, List.of("pages-1.img")).get(60, TimeUnit.SECONDS);
      image.criuEnded(); // e.g. CRIU failed: no finish
    }
    assertEquals("an older file\n", Files.readString(file));
    assertEquals(List.of(file), siblingsOf(file), "no temporary file left");
    assertEquals(List.of(), fifos(dump), "the FIFOs are removed");
  }

  @Test
  void aFullDiskWhilePagesStreamLetsCriuFinishThenFailsAndLeavesNothing() throws Exception {
    TestHost.require("root".equals(System.getProperty("user.name")), "root, to mount a small tmpfs");
    Path source = TestImages.criuDir(tmp, 2);
    Path dump = smallFilesOf(source);
    Path small = Files.createDirectory(tmp.resolve("vlxct-savestream-full"));
    assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "vlxct-savestream-full",
        small.toString()).inheritIO().start().waitFor(), "mount a 256 KiB tmpfs");
    try {
      Path file = small.resolve("image");
      try (StreamedImageFile image = StreamedImageFile.create(file, TestImages.domainXml("/sbin/init"), 3)) {
        image.streamPages(dump, 4);
        // CRIU writes all its pages although the image's disk is full: they are read and discarded
        criu(dump, source, List.of("pages-1.img", "pages-2.img")).get(60, TimeUnit.SECONDS);
        image.criuEnded();
        IOException e = assertThrows(IOException.class, image::streamedMembers);
        assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains("pages-1.img"),
            e.getMessage());
      }
      try (Stream<Path> left = Files.list(small)) {
        assertEquals(List.of(), left.toList(), "the temporary file is removed");
      }
      assertEquals(List.of(), fifos(dump), "the FIFOs are removed");
    } finally {
      new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
    }
  }

  /** CRIU's stand-in: writes {@code pages} of {@code source} into their FIFOs in {@code dump}, one after the other. */
  private static CompletableFuture<Void> criu(Path dump, Path source, List<String> pages) {
    return CompletableFuture.runAsync(() -> {
      try {
        for (String p : pages) {
          assertFalse(Files.isRegularFile(dump.resolve(p)), p + " is a FIFO");
          try (OutputStream out = Files.newOutputStream(dump.resolve(p))) {
            Files.copy(source.resolve(p), out);
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  /** A copy of CRIU's directory {@code source} without its page images, as the dump leaves it when they stream. */
  private Path smallFilesOf(Path source) throws IOException {
    Path dump = Files.createDirectories(tmp.resolve("vlxct-ckimage-dump"));
    try (Stream<Path> s = Files.list(source)) {
      for (Path p : s.toList()) {
        if (!p.getFileName().toString().startsWith("pages-")) {
          Files.copy(p, dump.resolve(p.getFileName()));
        }
      }
    }
    return dump;
  }

  private static List<Path> fifos(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !Files.isRegularFile(p)).toList();
    }
  }

  private static List<Path> siblingsOf(Path file) throws IOException {
    try (Stream<Path> s = Files.list(file.getParent())) {
      return s.filter(p -> p.getFileName().toString().contains("streamed")).toList();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
