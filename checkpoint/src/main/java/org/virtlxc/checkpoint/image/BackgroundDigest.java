package org.virtlxc.checkpoint.image;

import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The {@link MemberCheck} of a member's bytes (its SHA-256 or CRC32C chunks), computed on a helper thread while the
 * caller copies them on, so that checking overlaps the copy. The caller takes a buffer ({@link #buffer}), fills it,
 * writes it out, hands it over ({@link #submit}) and takes it up again only once checked; {@link #finish} gives the
 * member's check value and starts the next member; {@link #close} stops the thread (also after a failure).
 */
final class BackgroundDigest implements AutoCloseable {
  private static final int BUFFERS = 4;

  /** {@code length} bytes of {@code data} for {@code check}; no data: the end of its member. */
  private record Chunk(MemberCheck check, byte[] data, int length) {}

  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final BlockingQueue<String> digests = new ArrayBlockingQueue<>(1);
  private final Thread thread;

  BackgroundDigest(int bufferSize) {
    for (int i = 0; i < BUFFERS; i++) {
      free.add(new byte[bufferSize]);
    }
    thread = new Thread(this::run, "save-image-digest");
    thread.setDaemon(true);
    thread.start();
  }

  /** A buffer to fill; waits until one has been hashed. */
  byte[] buffer() throws InterruptedIOException {
    try {
      return free.take();
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  /**
   * Feeds {@code length} bytes of {@code buffer} (from {@link #buffer}), which the caller must no longer touch, to
   * {@code check}.
   */
  void submit(MemberCheck check, byte[] buffer, int length) throws InterruptedIOException {
    try {
      full.put(new Chunk(check, buffer, length));
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  /** {@code check}'s value of everything submitted to it since the last call. */
  String finish(MemberCheck check) throws InterruptedIOException {
    try {
      full.put(new Chunk(check, null, -1));
      return digests.take();
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  @Override
  public void close() {
    thread.interrupt();
  }

  private void run() {
    try {
      while (true) {
        Chunk c = full.take();
        if (c.data() == null) {
          digests.put(c.check().finish());
        } else {
          c.check().update(c.data(), 0, c.length());
          free.put(c.data());
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  private static InterruptedIOException interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    InterruptedIOException x = new InterruptedIOException("interrupted while hashing the save image");
    x.initCause(e);
    return x;
  }
}
