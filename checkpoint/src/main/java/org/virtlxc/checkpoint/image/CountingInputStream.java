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

  @Override
  public long skip(long n) throws IOException {
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
