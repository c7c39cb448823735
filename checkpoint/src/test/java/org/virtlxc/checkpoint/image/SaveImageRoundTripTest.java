package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SaveImageRoundTripTest {
  @TempDir Path tmp;

  /** A file written with kernel copies (members from files) holds exactly the bytes the stream writer produces. */
  @ParameterizedTest
  @EnumSource(Compression.class)
  void aFileImageIsByteForByteTheStreamedImage(Compression compression) throws IOException {
    Path criu = TestImages.criuDir(tmp, 70); // more than one 64 MiB kernel copy and digest region
    Path log = Files.writeString(tmp.resolve("vlxct-ckimage-console.log"), "boot\nlogin:\n");
    List<MemberSource> members = new ArrayList<>(MemberSource.criuDirectory(criu));
    members.add(MemberSource.extra("console.log", log));
    members.add(MemberSource.ofBytes("extra/empty", new byte[0]));
    Path file = tmp.resolve("vlxct-ckimage-dom.img");
    SaveImageWriter writer = SaveImageWriter.create().compression(compression);

    writer.write(file, TestImages.manifest(), members);
    java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
    writer.writeTo(streamed, TestImages.manifest(), members);

    org.junit.jupiter.api.Assertions.assertArrayEquals(streamed.toByteArray(), Files.readAllBytes(file));
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void roundTripKeepsEveryFileAndTheManifest(Compression compression) throws IOException {
    Path criu = TestImages.criuDir(tmp, 48);
    Path log = Files.writeString(tmp.resolve("vlxct-ckimage-console.log"), "boot\nlogin:\n");
    List<MemberSource> members = new ArrayList<>(MemberSource.criuDirectory(criu));
    members.add(MemberSource.extra("console.log", log));
    List<WriteProgress> progress = new ArrayList<>();
    Path file = tmp.resolve("vlxct-ckimage-dom.img");

    Manifest written = SaveImageWriter.create().compression(compression).progress(progress::add)
        .write(file, TestImages.manifest(), members);

    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
    assertEquals(compression, written.compression());
    assertEquals(members.size(), written.members().size());
    assertEquals(Files.size(criu.resolve("pages-2.img")),
        written.members().stream().filter(m -> m.name().equals("criu/pages-2.img")).findFirst().orElseThrow().size());
    WriteProgress last = progress.get(progress.size() - 1);
    assertEquals(100, last.percent());
    assertEquals(last.bytesTotal(), last.bytesWritten());
    assertEquals((Files.size(criu.resolve("pages-1.img")) + Files.size(criu.resolve("pages-2.img"))) / 4096,
        last.pagesTotal());
    for (int i = 1; i < progress.size(); i++) {
      assertTrue(progress.get(i).bytesWritten() >= progress.get(i - 1).bytesWritten(), "progress never goes back");
    }

    VerifiedImage v = SaveImageReader.verify(file);
    assertEquals(written, v.manifest());
    assertEquals(compression, v.compression());
    assertEquals(members.size(), v.members().size());
    if (compression == Compression.ZSTD) {
      assertTrue(Files.size(file) < Files.size(criu.resolve("pages-2.img")) / 4, "zstd shrinks the holes");
    }

    Path out = tmp.resolve("vlxct-ckimage-out");
    ExtractedImage x = SaveImageReader.extract(file, out);
    TestImages.assertSameTree(criu, x.criuDir());
    assertEquals(-1L, Files.mismatch(log, x.extra("console.log")));
    assertEquals(written, x.manifest());
    assertEquals(PosixFilePermissions.fromString("rw-------"),
        Files.getPosixFilePermissions(x.criuDir().resolve("pages-1.img")));
  }

  @Test
  void manifestKeepsWhatTheSaveRecorded() throws IOException {
    Path file = tmp.resolve("vlxct-ckimage-m.img");
    Manifest given = TestImages.manifest();
    SaveImageWriter.create().write(file, given, MemberSource.criuDirectory(TestImages.smallCriuDir(tmp)));

    Manifest m = SaveImageReader.readManifest(file);
    assertEquals(SaveImageFormat.VERSION, m.formatVersion());
    assertEquals(TestImages.NAME, m.domainName());
    assertEquals(TestImages.UUID, m.domainUuid());
    assertEquals(given.domainXml(), m.domainXml());
    assertEquals(given.created(), m.created());
    assertEquals(RunState.RUNNING, m.runState());
    assertEquals(TestImages.HOST, m.host());
    assertEquals(given.cgroupLimits(), m.cgroupLimits());
    assertEquals(given.criuExternals(), m.criuExternals());
    assertEquals(3, m.processCount());
    assertEquals(12288, m.memoryPages());
    assertEquals(4096, m.pageSize());
    assertEquals(List.of("criu/inventory.img", "criu/pages-1.img", "criu/pstree.img"),
        m.members().stream().map(MemberInfo::name).toList());
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void readingTheManifestStopsEarly(Compression compression) throws IOException {
    Path file = tmp.resolve("vlxct-ckimage-big.img");
    SaveImageWriter.create().compression(compression)
        .write(file, TestImages.manifest(), MemberSource.criuDirectory(TestImages.criuDir(tmp, 64)));
    long size = Files.size(file);
    assertTrue(size > 1 << 20, "image is large: " + size);

    long[] read = {0};
    try (InputStream in = new java.io.FilterInputStream(Files.newInputStream(file)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        read[0] += Math.max(n, 0);
        return n;
      }
    }) {
      Manifest m = SaveImageReader.readManifest(in, file.toString());
      assertEquals(TestImages.NAME, m.domainName());
    }
    System.out.println("manifest of " + compression + " image of " + size + " bytes: read " + read[0]);
    assertTrue(read[0] < 300 * 1024, "read " + read[0] + " of " + size + " bytes for the manifest");
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void streamsThroughAPipeFromAWriterThread(Compression compression) throws Exception {
    Path criu = TestImages.criuDir(tmp, 16);
    Pipe pipe = Pipe.open();
    CompletableFuture<Manifest> writer = CompletableFuture.supplyAsync(() -> {
      try (OutputStream out = Channels.newOutputStream(pipe.sink())) {
        return SaveImageWriter.create().compression(compression)
            .writeTo(out, TestImages.manifest(), MemberSource.criuDirectory(criu));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    Path out = tmp.resolve("vlxct-ckimage-piped");
    ExtractedImage x;
    try (InputStream in = Channels.newInputStream(pipe.source())) {
      x = SaveImageReader.extract(in, "pipe", out);
    }
    assertEquals(writer.get(60, TimeUnit.SECONDS), x.manifest());
    TestImages.assertSameTree(criu, x.criuDir());
  }

  @Test
  void criuDirectoryWithASymlinkIsRefusedByName() throws IOException {
    Path criu = TestImages.smallCriuDir(tmp);
    Files.createSymbolicLink(criu.resolve("parent"), tmp);
    SaveImageException e = org.junit.jupiter.api.Assertions.assertThrows(SaveImageException.class,
        () -> MemberSource.criuDirectory(criu));
    assertTrue(e.getMessage().contains("parent"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("x.img")));
  }
}
