package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** OpenSSL's SHA-256 (when it loads) gives the JDK's digests, for any size, offset and split of the input. */
class Sha256Test {
  @Test
  void knownVectors() {
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex(Sha256.create(), "abc"));
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(Sha256.create(), ""));
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex(Sha256.jdk(), "abc"));
  }

  @Test
  void openSslIsUsedOnThisHost() {
    // Debian 12 ships libcrypto.so.3 with libvirt; without it save and restore would hash 10 times slower in the C1 JVM
    TestHost.require(Sha256.isNative(), "libcrypto.so.3 loads through JNA");
    assertTrue(Sha256.isNative());
  }

  @Test
  void equalsTheJdkForSizesOffsetsAndSplits() {
    Random r = new Random(11);
    int[] sizes = {0, 1, 63, 64, 65, 4096, 100_000, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 77};
    for (int size : sizes) {
      byte[] data = new byte[size + 20];
      r.nextBytes(data);
      int off = size % 7;
      Sha256 a = Sha256.create();
      Sha256 b = Sha256.jdk();
      int split = size / 3;
      a.update(data, off, split);
      a.update(data, off + split, size - split);
      b.update(data, off, size);
      assertEquals(DigestList.hex(b.digest()), DigestList.hex(a.digest()), "SHA-256 of " + size + " bytes");
    }
  }

  @Test
  void directAndHeapBuffersHashTheirRemainingBytesOnly() {
    Random r = new Random(12);
    for (int size : new int[] {0, 1, 4096, (1 << 20) + 3}) {
      byte[] data = new byte[size + 10];
      r.nextBytes(data);
      java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(data.length).put(data);
      direct.position(5).limit(5 + size);
      java.nio.ByteBuffer heap = java.nio.ByteBuffer.wrap(data, 5, size);
      Sha256 a = Sha256.create();
      Sha256 b = Sha256.jdk();
      Sha256 c = Sha256.create();
      a.update(direct);
      b.update(data, 5, size);
      c.update(heap);
      byte[] expected = b.digest();
      assertArrayEquals(expected, a.digest(), "direct, size " + size);
      assertArrayEquals(expected, c.digest(), "heap, size " + size);
      assertEquals(0, direct.remaining());
      assertEquals(0, heap.remaining());
    }
  }

  @Test
  void digestStartsAnew() {
    Sha256 a = Sha256.create();
    byte[] x = "first".getBytes(StandardCharsets.US_ASCII);
    a.update(x, 0, x.length);
    a.digest();
    assertEquals(hex(Sha256.jdk(), "abc"), hex(a, "abc"));
  }

  private static String hex(Sha256 md, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    md.update(b, 0, b.length);
    return DigestList.hex(md.digest());
  }
}
