package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Region by region on several threads, the CRC32C chunks are exactly those of one pass over the bytes. */
class ParallelChunkCheckTest {
  @TempDir Path tmp;

  @Test
  void sameValueAsOnePassForAnySizeOffsetAndThreadCount() throws IOException {
    long region = ParallelChunkCheck.REGION;
    byte[] bytes = new byte[(int) (2 * region + 3 * MemberCheck.CHUNK + 777)];
    new Random(11).nextBytes(bytes);
    Path file = tmp.resolve("vlxct-chunks.bin");
    Files.write(file, bytes);
    for (int threads : List.of(1, 2, 3)) {
      try (ParallelChunkCheck parallel = new ParallelChunkCheck(threads);
          FileChannel channel = FileChannel.open(file)) {
        for (long[] slice : List.of(new long[] {0, 0}, new long[] {5, 1}, new long[] {512, MemberCheck.CHUNK - 1},
            new long[] {1000, region}, new long[] {3, region + 5}, new long[] {777, bytes.length - 777})) {
          int start = (int) slice[0];
          int size = (int) slice[1];
          MemberCheck one = MemberCheck.crc32cChunks();
          one.update(bytes, start, size);
          List<Long> heard = new ArrayList<>();
          String value = parallel.check(channel, start, size, heard::add);
          assertEquals(one.finish(), value, threads + " threads, " + size + " bytes at " + start);
          assertEquals(size, heard.stream().mapToLong(Long::longValue).sum(), "progress adds up to the size");
        }
      }
    }
  }
}
