package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The {@link MemberCheck} (SHA-256 or CRC32C chunks) of regions of a file, read in place through read-only mappings
 * and checked on a helper thread while the caller writes the next region: so a member copied by the kernel is checked
 * from the very bytes that landed in the file, without a copy through Java. {@link #submit} queues a region (waiting
 * while {@value #PENDING} are pending), {@link #finish} gives a check's value of the regions since the last call;
 * {@link #close} stops the thread.
 */
final class RegionDigest implements AutoCloseable {
  private static final int PENDING = 32;
  private static final sun.misc.Unsafe UNSAFE = unsafe();

  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "save-image-region-digest");
    t.setDaemon(true);
    return t;
  });
  private final Deque<Future<?>> pending = new ArrayDeque<>();
  private volatile boolean closed;

  /**
   * Feeds {@code length} bytes of {@code file} (opened for reading) at {@code position} to {@code check}, after those
   * submitted to it before.
   */
  void submit(MemberCheck check, FileChannel file, long position, long length) throws IOException {
    while (pending.size() >= PENDING) {
      await(pending.removeFirst());
    }
    MappedByteBuffer region = file.map(FileChannel.MapMode.READ_ONLY, position, length);
    pending.addLast(thread.submit(() -> {
      try {
        if (!closed) {
          check.update(region);
        }
      } finally {
        unmap(region);
      }
    }));
  }

  /** {@code check}'s value of every region submitted to it since the last call. */
  String finish(MemberCheck check) throws IOException {
    while (!pending.isEmpty()) {
      await(pending.removeFirst());
    }
    return await(thread.submit(check::finish));
  }

  /** Stops the thread once the regions queued are unmapped (unhashed), so no mapping outlives the write. */
  @Override
  public void close() {
    closed = true;
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Unmaps a region now rather than when it is collected: a mapping keeps a removed file's space in use and its file
   * system busy (a failed write's temporary file, a tmpfs to unmount). Only this class holds the region.
   */
  static void unmap(MappedByteBuffer region) {
    if (UNSAFE != null) {
      UNSAFE.invokeCleaner(region);
    }
  }

  private static sun.misc.Unsafe unsafe() {
    try {
      java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // mappings are then released when collected
    }
  }

  /** The value of {@code f}, its failure as an IOException (also used by {@link ParallelChunkCheck}). */
  static <T> T await(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException x = new InterruptedIOException("interrupted while hashing the save image");
      x.initCause(e);
      throw x;
    } catch (ExecutionException e) {
      throw new IOException("unable to hash the save image: " + e.getCause(), e.getCause());
    }
  }
}
