package org.virtlxc.checkpoint.image;

import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The SHA-256 of a member's bytes, computed on a helper thread while the caller copies them on, so that hashing
 * overlaps the copy. The caller takes a buffer ({@link #buffer}), fills it, writes it out, hands it over
 * ({@link #submit}) and takes it up again only once hashed; {@link #finish} gives the member's digest and starts the
 * next member; {@link #close} stops the thread (also after a failure).
 */
final class BackgroundDigest implements AutoCloseable {
  private static final int BUFFERS = 4;
  private static final Chunk END = new Chunk(new byte[0], -1);

  private record Chunk(byte[] data, int length) {}

  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final BlockingQueue<byte[]> digests = new ArrayBlockingQueue<>(1);
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

  /** Hashes {@code length} bytes of {@code buffer} (from {@link #buffer}), which the caller must no longer touch. */
  void submit(byte[] buffer, int length) throws InterruptedIOException {
    try {
      full.put(new Chunk(buffer, length));
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  /** The hex SHA-256 of everything submitted since the last call. */
  String finish() throws InterruptedIOException {
    try {
      full.put(END);
      return DigestList.hex(digests.take());
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  @Override
  public void close() {
    thread.interrupt();
  }

  private void run() {
    Sha256 md = Sha256.create();
    try {
      while (true) {
        Chunk c = full.take();
        if (c == END) {
          digests.put(md.digest());
        } else {
          md.update(c.data(), 0, c.length());
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
