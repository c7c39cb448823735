package org.virtlxc.checkpoint.image;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Moves CRIU's page images into a save image file while CRIU dumps, so that the pages are written once. Before CRIU
 * starts, {@code pages-1.img} to {@code pages-N.img} in its images directory are made FIFOs: CRIU opens the page image
 * of each task and shared memory segment in turn (ids counting from 1, one open at a time, closed before the next) and
 * splices its pages into it (criu/page-xfer.c {@code write_pages_loc}). A thread takes them in the same order and
 * splices each into the image file behind a 512-byte slot for its tar header, at 512-byte boundaries, hashing each
 * region from the file once written (while the next is moved) and starting its writeback to disk. A page image CRIU never opens is told apart without
 * a race: its FIFO, opened for reading before CRIU could open it, has had no writer once CRIU has ended. Ids past N
 * are left to CRIU as plain files (the image writer copies them afterwards).
 *
 * <p>If writing fails (a full disk), the thread keeps reading and discarding the pages until CRIU ends, so that CRIU
 * completes its dump (the tree stays stopped) and the failure is reported by {@link #await}, as a failed image write.
 */
final class PageFifoReader implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(PageFifoReader.class);
  /** Bytes moved between two hand-overs to the digest thread. */
  private static final long DIGEST_STEP = 64L << 20;
  private static final long SPLICE_MAX = 16L << 20;
  private static final int PIPE_SIZE = 1 << 20;
  private static final int POLL_MILLIS = 20;

  /** A page image streamed into the file: its tar header goes at {@code headerOffset}, its content right after. */
  record Streamed(String name, long headerOffset, long size, String check) {}

  private final Path criuDir;
  private final int count;
  private final Path imageFile;
  private final FileChannel image;
  private final Thread thread;
  private final List<Streamed> streamed = new ArrayList<>();
  private volatile boolean criuEnded;
  private volatile long bytesMoved;
  private long end;
  private IOException failure;

  /**
   * Makes the FIFOs {@code pages-1.img} to {@code pages-COUNT.img} in {@code criuDir} and starts moving them into
   * {@code imageFile} ({@code image} is its channel, for the digests) from offset {@code firstHeader}.
   */
  PageFifoReader(Path criuDir, int count, Path imageFile, FileChannel image, long firstHeader) throws IOException {
    this.criuDir = criuDir;
    this.count = count;
    this.imageFile = imageFile;
    this.image = image;
    this.end = firstHeader;
    try {
      for (int id = 1; id <= count; id++) {
        Libc.makeFifo(fifo(id).toString());
      }
    } catch (IOException e) {
      deleteFifos();
      throw e;
    }
    thread = new Thread(this::run, "save-image-pages");
    thread.setDaemon(true);
    thread.start();
  }

  /** CRIU has exited (whatever the outcome): FIFOs it has not opened by now never will be. */
  void criuEnded() {
    criuEnded = true;
  }

  /** Page bytes in the image file so far. */
  long bytesMoved() {
    return bytesMoved;
  }

  /**
   * After {@link #criuEnded}: waits for the thread, removes the FIFOs and returns the page images streamed, in file
   * order; throws what went wrong writing them.
   */
  List<Streamed> await() throws IOException {
    criuEnded();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while writing the page images");
    }
    deleteFifos();
    if (failure != null) {
      throw failure;
    }
    return List.copyOf(streamed);
  }

  /** Where the image continues after the streamed page images (a 512-byte boundary). */
  long end() {
    return end;
  }

  /** Stops the thread once CRIU has ended (call after a failure too) and removes the FIFOs. */
  @Override
  public void close() {
    criuEnded();
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteFifos();
  }

  private Path fifo(int id) {
    return criuDir.resolve("pages-" + id + ".img");
  }

  private void deleteFifos() {
    for (int id = 1; id <= count; id++) {
      Path p = fifo(id);
      try {
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p,
            java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.delete(p);
        }
      } catch (IOException e) {
        LOG.warn("unable to remove FIFO {}: {}", p, e.toString());
      }
    }
  }

  private void run() {
    int out = -1;
    int discard = -1;
    try (RegionDigest digest = new RegionDigest()) {
      out = Libc.openFile(imageFile.toString(), Libc.O_WRONLY);
      discard = Libc.openFile("/dev/null", Libc.O_WRONLY);
      for (int id = 1; id <= count; id++) {
        String path = fifo(id).toString();
        int in = Libc.openFile(path, Libc.O_RDONLY | Libc.O_NONBLOCK);
        try {
          try {
            Libc.fcntl(in, Libc.F_SETPIPE_SZ, PIPE_SIZE);
          } catch (LastErrorException e) {
            LOG.debug("F_SETPIPE_SZ on {}: {}", path, Libc.message(e.getErrorCode()));
          }
          if (!awaitWriter(in, path)) {
            break; // CRIU ended without opening it, so neither the later ones
          }
          Libc.fcntl(in, Libc.F_SETFL, Libc.O_RDONLY); // reads now wait for CRIU's pages, 0 once it closed
          if (failure == null) {
            try {
              move(in, out, path, digest, id);
              continue;
            } catch (IOException e) {
              failure = e;
              LOG.warn("{}; reading CRIU's pages on to their end, discarding them", e.getMessage());
            }
          }
          drain(in, discard, path);
        } finally {
          Libc.closeQuietly(in);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (failure == null) {
        failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
      }
      drainRest();
    } finally {
      Libc.closeQuietly(out);
      Libc.closeQuietly(discard);
    }
  }

  /** Whether CRIU opened the FIFO {@code in}: it has pages or CRIU closed it; false once CRIU ended without. */
  private boolean awaitWriter(int in, String path) throws IOException {
    while (true) {
      if (Libc.readable(in, POLL_MILLIS, path)) {
        return true;
      }
      if (criuEnded) {
        return Libc.readable(in, 0, path);
      }
    }
  }

  private void move(int in, int out, String path, RegionDigest digest, int id) throws IOException {
    String name = MemberNames.CRIU_PREFIX + "pages-" + id + ".img";
    MemberCheck check = MemberCheck.of(new MemberInfo(name, 0), SaveImageFormat.VERSION);
    long header = end;
    long start = header + ImageOutput.RECORD;
    Memory offset = new Memory(8);
    offset.setLong(0, start);
    long done = 0;
    long hashed = 0;
    while (true) {
      long n = splice(in, out, offset, path);
      if (n == 0) {
        break;
      }
      done += n;
      bytesMoved += n;
      if (done - hashed >= DIGEST_STEP) {
        digest.submit(check, image, start + hashed, done - hashed);
        Libc.startWriteback(out, start + hashed, done - hashed); // so the final fsync waits for little
        hashed = done;
      }
    }
    if (done > hashed) {
      digest.submit(check, image, start + hashed, done - hashed);
      Libc.startWriteback(out, start + hashed, done - hashed);
    }
    streamed.add(new Streamed(name, header, done, digest.finish(check)));
    end = start + (done + ImageOutput.RECORD - 1) / ImageOutput.RECORD * ImageOutput.RECORD;
  }

  private long splice(int in, int out, Pointer offset, String path) throws IOException {
    while (true) {
      try {
        return Libc.splice(in, Pointer.NULL, out, offset, SPLICE_MAX, Libc.SPLICE_F_MOVE);
      } catch (LastErrorException e) {
        if (e.getErrorCode() != 4) { // EINTR
          throw new IOException("unable to write " + path + " into " + imageFile + ": "
              + Libc.message(e.getErrorCode()));
        }
      }
    }
  }

  private void drain(int in, int discard, String path) {
    try {
      while (splice(in, discard, Pointer.NULL, path) > 0) {
        // discarded: CRIU completes its dump, the failure is reported after it
      }
    } catch (IOException e) {
      LOG.warn("unable to discard {}: {}", path, e.getMessage());
    }
  }

  /** After the thread failed outside a page image: reads the remaining FIFOs to their end, discarding. */
  private void drainRest() {
    int discard = -1;
    try {
      discard = Libc.openFile("/dev/null", Libc.O_WRONLY);
      for (int id = streamed.size() + 1; id <= count; id++) {
        String path = fifo(id).toString();
        int in = Libc.openFile(path, Libc.O_RDONLY | Libc.O_NONBLOCK);
        try {
          if (!awaitWriter(in, path)) {
            break;
          }
          Libc.fcntl(in, Libc.F_SETFL, Libc.O_RDONLY);
          drain(in, discard, path);
        } finally {
          Libc.closeQuietly(in);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("unable to discard CRIU's page images: {}", e.toString());
    } finally {
      Libc.closeQuietly(discard);
    }
  }
}
