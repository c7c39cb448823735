package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The digest thread checks exactly the bytes handed over, member after member, reusing its few buffers. */
class BackgroundDigestTest {
  @Test
  void digestsEqualTheCheckOfEachMembersBytes() throws Exception {
    Random r = new Random(7);
    int[] sizes = {0, 1, 4096, 10_000, 3 * 4096 + 17, 200_000, MemberCheck.CHUNK + 5};
    Set<byte[]> buffersSeen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    try (BackgroundDigest d = new BackgroundDigest(4096)) {
      for (int i = 0; i < 2 * sizes.length; i++) { // SHA-256 and CRC32C members in turn, as in an image
        int size = sizes[i / 2];
        boolean crc = i % 2 == 1;
        MemberCheck check = crc ? MemberCheck.of(new MemberInfo("criu/pages-1.img", size), 2) : MemberCheck.sha256();
        byte[] content = new byte[size];
        r.nextBytes(content);
        for (int off = 0; off < size; ) {
          byte[] b = d.buffer();
          buffersSeen.add(b);
          int n = Math.min(b.length, size - off);
          System.arraycopy(content, off, b, 0, n);
          d.submit(check, b, n);
          off += n;
        }
        String expected = crc ? MemberCheckTest.chunkCrcs(content) : ImageOutput.sha256(content);
        assertEquals(expected, d.finish(check), (crc ? "CRC32C chunks" : "SHA-256") + " of a " + size
            + "-byte member");
      }
    }
    assertEquals(4, buffersSeen.size(), "the same four buffers go round");
  }

  @Test
  void closeStopsTheThread() throws Exception {
    BackgroundDigest d = new BackgroundDigest(16);
    byte[] b = d.buffer();
    d.submit(MemberCheck.sha256(), b, 3);
    d.close();
    for (int i = 0; i < 100 && threadAlive(); i++) {
      Thread.sleep(20);
    }
    assertFalse(threadAlive(), "no save-image-digest thread left");
  }

  private static boolean threadAlive() {
    Set<String> names = new HashSet<>();
    Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
    return names.contains("save-image-digest");
  }

  @Test
  void buffersAreDistinct() throws Exception {
    try (BackgroundDigest d = new BackgroundDigest(8)) {
      byte[] a = d.buffer();
      byte[] b = d.buffer();
      assertNotSame(a, b);
      MemberCheck check = MemberCheck.sha256();
      d.submit(check, a, 0);
      d.submit(check, b, 0);
      assertEquals(ImageOutput.sha256(new byte[0]), d.finish(check));
    }
  }
}
