package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed write never replaces a good image and leaves no temporary file. */
class SaveImageAtomicWriteTest {
  @TempDir Path tmp;

  private Path goodImage(Path dir) throws IOException {
    Path file = dir.resolve("vlxct-ckimage-dom.img");
    SaveImageWriter.create().write(file, TestImages.manifest(), MemberSource.criuDirectory(TestImages.smallCriuDir(tmp)));
    return file;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** A member whose source fails after {@code goodBytes} bytes. */
  private static MemberSource failingAfter(long goodBytes, IOException failure) {
    return new MemberSource("criu/pages-9.img", goodBytes * 2, () -> new InputStream() {
      long given;

      @Override
      public int read() throws IOException {
        if (given >= goodBytes) {
          throw failure;
        }
        given++;
        return 1;
      }
    });
  }

  @Test
  void aSourceFailingMidwayLeavesTheOldImageAndNoTemporaryFile() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("vlxct-ckimage-out"));
    Path file = goodImage(dir);
    byte[] before = Files.readAllBytes(file);
    List<MemberSource> members = new ArrayList<>(MemberSource.criuDirectory(TestImages.smallCriuDir(tmp)));
    members.add(failingAfter(100_000, new IOException("criu died")));

    IOException e = assertThrows(IOException.class,
        () -> SaveImageWriter.create().compression(Compression.ZSTD).write(file, TestImages.manifest(), members));
    assertTrue(e.getMessage().contains("unable to write save image " + file) && e.getMessage().contains("criu died"),
        e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file));
    assertEquals(List.of("vlxct-ckimage-dom.img"), names(dir));
  }

  @Test
  void aSourceShorterThanDeclaredFailsClearly() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("vlxct-ckimage-out"));
    Path file = dir.resolve("vlxct-ckimage-short.img");
    MemberSource shrunk = new MemberSource("criu/pages-1.img", 1000, () -> new java.io.ByteArrayInputStream(new byte[10]));
    IOException e = assertThrows(IOException.class,
        () -> SaveImageWriter.create().write(file, TestImages.manifest(), List.of(shrunk)));
    assertTrue(e.getMessage().contains("member 'criu/pages-1.img' ended after 10 of 1000 bytes"), e.getMessage());
    assertEquals(List.of(), names(dir));
  }

  @Test
  void aSourceFileThatShrinksOrGrowsAfterItWasListedFailsClearly() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("vlxct-ckimage-out"));
    Path file = dir.resolve("vlxct-ckimage-changed.img");
    Path pages = Files.write(tmp.resolve("vlxct-ckimage-pages.img"), new byte[3000]);
    MemberSource listed = MemberSource.ofFile("criu/pages-1.img", pages);
    Files.write(pages, new byte[1000]);
    IOException e = assertThrows(IOException.class,
        () -> SaveImageWriter.create().write(file, TestImages.manifest(), List.of(listed)));
    assertTrue(e.getMessage().contains("member 'criu/pages-1.img' ended after 1000 of 3000 bytes"), e.getMessage());
    assertEquals(List.of(), names(dir));

    Files.write(pages, new byte[5000]);
    e = assertThrows(IOException.class,
        () -> SaveImageWriter.create().write(file, TestImages.manifest(), List.of(listed)));
    assertTrue(e.getMessage().contains("member 'criu/pages-1.img' is longer than its 3000 bytes"), e.getMessage());
    assertEquals(List.of(), names(dir));
  }

  @Test
  void anInterruptedWriteLeavesTheOldImage() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("vlxct-ckimage-out"));
    Path file = goodImage(dir);
    byte[] before = Files.readAllBytes(file);
    MemberSource endless = new MemberSource("criu/pages-1.img", Long.MAX_VALUE / 2, () -> new InputStream() {
      @Override
      public int read() {
        return 0;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return len;
      }
    });
    IOException[] failure = new IOException[1];
    Thread writer = new Thread(() -> {
      try {
        SaveImageWriter.create().write(file, TestImages.manifest(), List.of(endless));
      } catch (IOException e) {
        failure[0] = e;
      }
    }, "vlxct-ckimage-writer");
    writer.start();
    TimeUnit.MILLISECONDS.sleep(300);
    writer.interrupt();
    writer.join(30_000);
    assertTrue(!writer.isAlive(), "the writer stopped");
    assertTrue(failure[0] != null && failure[0].getMessage().equals("unable to write save image " + file
        + ": interrupted") && (failure[0].getCause() instanceof InterruptedIOException
        || failure[0].getCause() instanceof java.nio.channels.ClosedByInterruptException), "interrupted: " + failure[0]);
    assertArrayEquals(before, Files.readAllBytes(file));
    assertEquals(List.of("vlxct-ckimage-dom.img"), names(dir));
  }

  @Test
  void aFullDiskFailsWithNoSpaceLeftAndKeepsTheOldImage() throws Exception {
    TestHost.require("root".equals(System.getProperty("user.name")), "root, to mount a small tmpfs");
    Path mnt = Files.createTempDirectory(Path.of("/tmp"), "vlxct-ckimage-full-");
    try {
      Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "vlxct-ckimage-full",
          mnt.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      TestHost.require(p.waitFor() == 0, "mount -t tmpfs works: " + out);
      try {
        Path file = goodImage(mnt);
        byte[] before = Files.readAllBytes(file);
        Path criu = TestImages.criuDir(tmp, 4);
        IOException e = assertThrows(IOException.class,
            () -> SaveImageWriter.create().write(file, TestImages.manifest(), MemberSource.criuDirectory(criu)));
        assertTrue(e.getMessage().startsWith("unable to write save image " + file + ": ")
            && e.getMessage().contains("No space left on device"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("vlxct-ckimage-dom.img"), names(mnt));
        SaveImageReader.verify(file);
      } finally {
        Process u = new ProcessBuilder("umount", mnt.toString()).redirectErrorStream(true).start();
        String uout = new String(u.getInputStream().readAllBytes());
        assertEquals(0, u.waitFor(), "umount " + mnt + ": " + uout);
      }
    } finally {
      Files.deleteIfExists(mnt);
    }
  }
}
