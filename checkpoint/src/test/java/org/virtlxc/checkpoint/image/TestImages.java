package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** Domain XML, manifests and CRIU-like image directories for the save image tests. */
final class TestImages {
  static final String UUID = "c7a5fdbd-edaf-9455-926a-d65c16db1809";
  static final String NAME = "vlxct-ckimage-dom";
  static final HostFacts HOST = new HostFacts("6.18.44-fc-v595", "x86_64",
      List.of("fpu", "sse", "sse2", "avx", "avx2", "avx512f", "xsave", "fsrm"), "4.1.1");

  private TestImages() {}

  static String domainXml(String initPath) {
    return "<domain type='lxc'>\n"
        + "  <name>" + NAME + "</name>\n"
        + "  <uuid>" + UUID + "</uuid>\n"
        + "  <memory unit='KiB'>65536</memory>\n"
        + "  <os>\n    <type>exe</type>\n    <init>" + initPath + "</init>\n  </os>\n"
        + "  <devices>\n    <console type='pty'/>\n  </devices>\n"
        + "</domain>\n";
  }

  static Manifest manifest() throws SaveImageException {
    return Manifest.builder(domainXml("/sbin/init"))
        .created(Instant.parse("2026-11-27T10:00:00Z"))
        .host(HOST)
        .cgroupLimits(Map.of("memory.limit_in_bytes", "67108864", "pids.max", "512"))
        .criuExternals(List.of("mnt[/dev/console]:console", "net[4026532008]:extnet"))
        .processCount(3)
        .memory(4096 * 3, 4096)
        .build();
  }

  /**
   * A directory like CRIU's images directory: small protobuf-ish files, a random 1 MiB pages file, and a large
   * sparse-ish pages file of {@code largeMiB} MiB (mostly holes, random 4 KiB blocks here and there).
   */
  static Path criuDir(Path parent, int largeMiB) throws IOException {
    Path dir = Files.createDirectories(parent.resolve("vlxct-ckimage-criu"));
    Random r = new Random(42);
    for (String small : List.of("inventory.img", "pstree.img", "core-1.img", "mm-1.img", "pagemap-1.img")) {
      byte[] b = new byte[100 + r.nextInt(3000)];
      r.nextBytes(b);
      Files.write(dir.resolve(small), b);
    }
    Files.write(dir.resolve("empty.img"), new byte[0]);
    byte[] pages = new byte[1 << 20];
    r.nextBytes(pages);
    Files.write(dir.resolve("pages-1.img"), pages);
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("pages-2.img").toFile(), "rw")) {
      long size = (long) largeMiB << 20;
      f.setLength(size);
      byte[] block = new byte[4096];
      for (long off = 0; off < size; off += 1 << 20) {
        r.nextBytes(block);
        f.seek(off + r.nextInt((1 << 20) - block.length));
        f.write(block);
      }
      f.seek(size - 1);
      f.write(7);
    }
    return dir;
  }

  /** A small directory (a few KiB), for tests that rewrite the image many times. */
  static Path smallCriuDir(Path parent) throws IOException {
    Path dir = Files.createDirectories(parent.resolve("vlxct-ckimage-small"));
    Random r = new Random(7);
    for (String name : List.of("inventory.img", "pages-1.img", "pstree.img")) {
      byte[] b = new byte[300 + r.nextInt(1500)];
      r.nextBytes(b);
      Files.write(dir.resolve(name), b);
    }
    return dir;
  }

  /** Asserts that {@code b} has the same files with the same bytes as {@code a}. */
  static void assertSameTree(Path a, Path b) throws IOException {
    List<Path> left = files(a);
    List<Path> right = files(b);
    assertEquals(left.stream().map(p -> a.relativize(p).toString()).toList(),
        right.stream().map(p -> b.relativize(p).toString()).toList(), "file lists");
    for (Path p : left) {
      assertEquals(-1L, Files.mismatch(p, b.resolve(a.relativize(p).toString())), "content of " + p);
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
