package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Counting, zero checks, and skipping below: what the scanner relies on to skip a member it copied by the kernel. */
class CountingInputStreamTest {
  /** Counts the bytes its source hands out by read, not by skip. */
  private static final class Source extends ByteArrayInputStream {
    int bytesRead;

    Source(byte[] b) {
      super(b);
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      int n = super.read(b, off, len);
      bytesRead += Math.max(0, n);
      return n;
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 251 + 1);
    }
    return b;
  }

  @Test
  void skipBelowSkipsWithoutReadingAndTheReadsAboveGetNothing() throws IOException {
    byte[] content = bytes(10_000);
    Source source = new Source(content);
    CountingInputStream lower = new CountingInputStream(source);
    lower.skipsUnread(true);
    CountingInputStream upper = new CountingInputStream(lower);
    assertEquals(6000, upper.skipBelow(6000));
    assertEquals(0, source.bytesRead, "nothing read below");
    assertEquals(6000, lower.count());
    assertEquals(0, upper.count(), "counted above as the reads above consume it");

    // a layer above that skips by reading into a scratch buffer it throws away
    byte[] scratch = new byte[4096];
    Arrays.fill(scratch, (byte) 7);
    assertEquals(4096, upper.read(scratch, 0, scratch.length));
    assertEquals(1904, upper.skip(5000), "the skip ends where the skipped bytes end");
    byte[] untouched = new byte[4096];
    Arrays.fill(untouched, (byte) 7);
    assertArrayEquals(untouched, scratch, "the scratch buffer is left as it was");
    assertEquals(6000, upper.count());

    lower.skipsUnread(false);
    byte[] rest = upper.readAllBytes();
    assertArrayEquals(Arrays.copyOfRange(content, 6000, 10_000), rest, "then the stream goes on after them");
    assertEquals(10_000, upper.count());
  }

  @Test
  void skipBelowStopsAtTheEnd() throws IOException {
    CountingInputStream lower = new CountingInputStream(new ByteArrayInputStream(bytes(100)));
    lower.skipsUnread(true);
    CountingInputStream upper = new CountingInputStream(lower);
    assertEquals(100, upper.skipBelow(500));
    assertEquals(100, upper.skip(500));
    assertEquals(-1, upper.read(new byte[10], 0, 10));
  }

  @Test
  void aNonZeroByteInAMustBeZeroRegionIsReportedWithItsOffset() {
    byte[] b = new byte[64];
    b[40] = 1;
    CountingInputStream in = new CountingInputStream(new ByteArrayInputStream(b));
    in.expectZeros(32, 64, at -> new IOException("not zero at " + at));
    IOException e = assertThrows(IOException.class, () -> in.readAllBytes());
    assertEquals("not zero at 40", e.getMessage());
  }

  @Test
  void skippingWithoutSkipBelowReadsAndChecks() {
    byte[] b = new byte[64];
    b[50] = 3;
    CountingInputStream in = new CountingInputStream(new ByteArrayInputStream(b));
    in.expectZeros(48, 64, at -> new IOException("not zero at " + at));
    IOException e = assertThrows(IOException.class, () -> in.skip(64));
    assertEquals("not zero at 50", e.getMessage());
  }
}
