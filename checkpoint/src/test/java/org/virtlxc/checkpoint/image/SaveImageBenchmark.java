package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Not a test: prints write, verify and extract throughput of a save image holding one 256 MiB pages file, plain vs
 * zstd. The file mixes page kinds as a process's memory does: a quarter random (incompressible), a quarter zero
 * pages, half repetitive text. Run:
 * {@code java -cp checkpoint/target/test-classes:checkpoint/target/classes:$(cat cp.txt)
 * org.virtlxc.checkpoint.image.SaveImageBenchmark [DIR]}.
 */
public final class SaveImageBenchmark {
  private static final int MIB = 1 << 20;

  private SaveImageBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path base = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : "/var/tmp"), "vlxct-ckimage-bench-");
    try {
      Path criu = Files.createDirectory(base.resolve("criu"));
      writePages(criu.resolve("pages-1.img"), 256);
      Files.write(criu.resolve("inventory.img"), new byte[64]);
      Manifest m = TestImages.manifest();
      List<MemberSource> members = MemberSource.criuDirectory(criu);
      double mib = Files.size(criu.resolve("pages-1.img")) / (double) MIB;
      System.out.printf("payload %.0f MiB, %d cores%n", mib, Runtime.getRuntime().availableProcessors());
      for (Compression c : Compression.values()) {
        Path img = base.resolve("dom-" + c.label() + ".img");
        long t0 = System.nanoTime();
        SaveImageWriter.create().compression(c).write(img, m, members);
        long t1 = System.nanoTime();
        SaveImageReader.verify(img);
        long t2 = System.nanoTime();
        SaveImageReader.extract(img, base.resolve("out-" + c.label()));
        long t3 = System.nanoTime();
        System.out.printf("%-4s image %6.1f MiB  write %7.1f MiB/s  verify %7.1f MiB/s  extract %7.1f MiB/s%n",
            c.label(), Files.size(img) / (double) MIB, mib / secs(t0, t1), mib / secs(t1, t2), mib / secs(t2, t3));
      }
    } finally {
      try (Stream<Path> s = Files.walk(base)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static double secs(long from, long to) {
    return (to - from) / 1e9;
  }

  private static void writePages(Path file, int mib) throws IOException {
    Random r = new Random(1);
    byte[] page = new byte[4096];
    byte[] text = "GET /index.html HTTP/1.1 Host: example counter=".repeat(100).getBytes();
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mib * 256; i++) {
        switch (i % 4) {
          case 0 -> r.nextBytes(page);
          case 1 -> java.util.Arrays.fill(page, (byte) 0);
          default -> {
            System.arraycopy(text, i % 64, page, 0, page.length);
            page[i % 4096] = (byte) i;
          }
        }
        out.write(page);
      }
    }
  }
}
