package org.virtlxc.checkpoint.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Digests everything read through it except the last {@code tailLength} bytes, which it keeps: the SHA-256 frame at
 * the end of a compressed image covers exactly the bytes before it.
 */
final class TailDigestInputStream extends FilterInputStream {
  private final Sha256 md = Sha256.create();
  private final byte[] tail;
  private int tailFill;

  TailDigestInputStream(InputStream in, int tailLength) {
    super(in);
    this.tail = new byte[tailLength];
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      take(b, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] scratch = new byte[(int) Math.min(n, 8192)];
    int r = read(scratch, 0, scratch.length);
    return Math.max(r, 0);
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** The last bytes read (fewer if fewer were read). */
  byte[] tail() {
    return java.util.Arrays.copyOf(tail, tailFill);
  }

  /** SHA-256 of everything read except {@link #tail()}. */
  byte[] digest() {
    return md.digest();
  }

  private void take(byte[] b, int off, int n) {
    if (n >= tail.length) {
      md.update(tail, 0, tailFill);
      md.update(b, off, n - tail.length);
      System.arraycopy(b, off + n - tail.length, tail, 0, tail.length);
      tailFill = tail.length;
      return;
    }
    int overflow = tailFill + n - tail.length;
    if (overflow > 0) {
      md.update(tail, 0, overflow);
      System.arraycopy(tail, overflow, tail, 0, tailFill - overflow);
      tailFill -= overflow;
    }
    System.arraycopy(b, off, tail, tailFill, n);
    tailFill += n;
  }
}
