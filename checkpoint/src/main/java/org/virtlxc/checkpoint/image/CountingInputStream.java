package org.virtlxc.checkpoint.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes read through it, and checks that bytes in a region declared "must be zero" (tar padding and the
 * end-of-archive records, which no checksum covers) are zero. Skipping reads, so that nothing passes unchecked.
 */
final class CountingInputStream extends FilterInputStream {
  /** Thrown when a must-be-zero byte is not. */
  interface ZeroViolation {
    IOException at(long offset);
  }

  private long count;
  private long zeroFrom = -1;
  private long zeroTo = -1;
  private ZeroViolation violation;
  private boolean skipUnread;
  private long skippedLeft;

  CountingInputStream(InputStream in) {
    super(in);
  }

  long count() {
    return count;
  }

  /** Bytes at offsets [from, to) must be zero. */
  void expectZeros(long from, long to, ZeroViolation onViolation) {
    zeroFrom = from;
    zeroTo = to;
    violation = onViolation;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      check(new byte[] {(byte) b}, 0, 1);
      count++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (skippedLeft > 0 && len > 0) { // see skipBelow: leave the buffer unfilled
      int k = (int) Math.min(len, skippedLeft);
      skippedLeft -= k;
      count += k;
      return k;
    }
    int n = in.read(b, off, len);
    if (n > 0) {
      check(b, off, n);
      count += n;
    }
    return n;
  }

  /**
   * While true, {@link #skip} skips in the stream below instead of reading: for content a digest covers otherwise
   * (the caller keeps must-be-zero regions out of it).
   */
  void skipsUnread(boolean unread) {
    this.skipUnread = unread;
  }

  /**
   * Skips the next {@code n} bytes in the stream below now, at once (so with {@link #skipsUnread} set below, without
   * reading them), and lets the next reads and skips of up to {@code n} bytes return at once without filling their
   * buffer: for a layer above that skips content a digest covers otherwise by reading it into a scratch buffer it
   * throws away (commons-compress's tar stream). Returns the bytes skipped, fewer at the end of the stream.
   */
  long skipBelow(long n) throws IOException {
    long done = 0;
    while (done < n) {
      long k = in.skip(n - done);
      if (k <= 0) {
        break;
      }
      done += k;
    }
    skippedLeft = done;
    return done;
  }

  @Override
  public long skip(long n) throws IOException {
    if (skippedLeft > 0 && n > 0) {
      long k = Math.min(n, skippedLeft);
      skippedLeft -= k;
      count += k;
      return k;
    }
    if (skipUnread) {
      long s = in.skip(n);
      count += Math.max(0, s);
      return s;
    }
    byte[] scratch = new byte[(int) Math.min(n, 8192)];
    long done = 0;
    while (done < n) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {
  }

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  private void check(byte[] b, int off, int n) throws IOException {
    if (zeroFrom < 0 || count + n <= zeroFrom || count >= zeroTo) {
      return;
    }
    long start = Math.max(count, zeroFrom);
    long end = Math.min(count + n, zeroTo);
    for (long pos = start; pos < end; pos++) {
      if (b[off + (int) (pos - count)] != 0) {
        throw violation.at(pos);
      }
    }
  }
}
