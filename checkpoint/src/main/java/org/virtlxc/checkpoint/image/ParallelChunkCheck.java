package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The CRC32C chunks ({@link MemberCheck#crc32cChunks()}) of a page image lying in a file, computed region by region on
 * a few threads: chunks are independent, so each region (a whole number of chunks) is checked apart from the file's
 * mapped pages and the regions' values are joined in order. Used where a member is only checked, not copied (a page
 * image left in place for the restore): there the check is all the work, and faulting the file's pages in is what
 * it costs.
 */
final class ParallelChunkCheck implements AutoCloseable {
  /** Bytes per region: a whole number of chunks; smaller costs more in mappings. */
  static final long REGION = 16L * MemberCheck.CHUNK;

  /** Hears the bytes of each region once it is checked. */
  @FunctionalInterface
  interface Progress {
    void checked(long bytes) throws IOException;
  }

  private final int threads;
  private final ExecutorService pool;

  ParallelChunkCheck() {
    this(Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  ParallelChunkCheck(int threads) {
    this.threads = Math.max(1, threads);
    this.pool = Executors.newFixedThreadPool(this.threads, r -> {
      Thread t = new Thread(r, "save-image-chunk-check");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * The CRC32C chunks, as hex, of the {@code size} bytes at {@code start} of {@code file}; {@code progress} hears the
   * bytes of each region once it is checked, in order.
   */
  String check(FileChannel file, long start, long size, Progress progress) throws IOException {
    StringBuilder hex = new StringBuilder((int) Math.min(Integer.MAX_VALUE, (size / MemberCheck.CHUNK + 1) * 8));
    Deque<Future<String>> pending = new ArrayDeque<>();
    Deque<Long> lengths = new ArrayDeque<>();
    try {
      for (long done = 0; done < size; done += REGION) {
        long n = Math.min(REGION, size - done);
        MappedByteBuffer region = file.map(FileChannel.MapMode.READ_ONLY, start + done, n);
        pending.addLast(pool.submit(() -> {
          try {
            MemberCheck c = MemberCheck.crc32cChunks();
            c.update(region);
            return c.finish();
          } finally {
            RegionDigest.unmap(region);
          }
        }));
        lengths.addLast(n);
        if (pending.size() >= 2 * threads) {
          hex.append(RegionDigest.await(pending.removeFirst()));
          progress.checked(lengths.removeFirst());
        }
      }
      while (!pending.isEmpty()) {
        hex.append(RegionDigest.await(pending.removeFirst()));
        progress.checked(lengths.removeFirst());
      }
      return hex.toString();
    } finally {
      pending.forEach(f -> f.cancel(false));
    }
  }

  @Override
  public void close() {
    pool.shutdown();
  }
}
