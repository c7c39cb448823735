package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** A page image's check is the CRC32C of each 1 MiB chunk, however its bytes are handed over. */
class MemberCheckTest {
  private static final int CHUNK = MemberCheck.CHUNK;

  /** The CRC32C of each {@link MemberCheck#CHUNK} bytes of {@code content}, computed chunk by chunk on its own. */
  static String chunkCrcs(byte[] content) {
    StringBuilder sb = new StringBuilder();
    for (int off = 0; off < content.length; off += CHUNK) {
      CRC32C c = new CRC32C();
      c.update(content, off, Math.min(CHUNK, content.length - off));
      sb.append(String.format("%08x", c.getValue()));
    }
    return sb.toString();
  }

  @Test
  void theChunksAreCastagnoliCrcs() {
    MemberCheck check = MemberCheck.of(new MemberInfo("criu/pages-1.img", 9), 2);
    byte[] standard = "123456789".getBytes(StandardCharsets.US_ASCII);
    check.update(standard, 0, standard.length);
    assertEquals("e3069283", check.finish(), "CRC-32C's published check value, as crc32c tools print it");
  }

  @Test
  void chunksDoNotDependOnHowTheBytesArrive() {
    Random r = new Random(11);
    for (int size : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17}) {
      byte[] content = new byte[size];
      r.nextBytes(content);
      MemberCheck arrays = MemberCheck.of(new MemberInfo("criu/pages-2.img", size), 2);
      MemberCheck buffers = MemberCheck.of(new MemberInfo("criu/pages-2.img", size), 2);
      for (int off = 0; off < size; ) {
        int n = Math.min(size - off, 1 + r.nextInt(CHUNK / 3));
        arrays.update(content, off, n);
        ByteBuffer direct = ByteBuffer.allocateDirect(n);
        direct.put(content, off, n).flip();
        buffers.update(direct);
        assertFalse(direct.hasRemaining(), "the buffer is consumed");
        off += n;
      }
      String expected = chunkCrcs(content);
      assertEquals((size + CHUNK - 1) / CHUNK * 8, expected.length());
      assertEquals(expected, arrays.finish(), size + " bytes as arrays");
      assertEquals(expected, buffers.finish(), size + " bytes as buffers");
      assertEquals("", arrays.finish(), "finish starts a new member");
    }
  }

  @Test
  void onlyPageImagesOfFormat2OnAreCheckedByCrc() {
    MemberInfo pages = new MemberInfo("criu/pages-1.img", 10);
    assertTrue(MemberCheck.isCrc(pages, 2));
    assertFalse(MemberCheck.isCrc(pages, 1), "format 1 hashes every member with SHA-256");
    assertFalse(MemberCheck.isCrc(new MemberInfo("criu/pagemap-1.img", 10), 2));
    assertFalse(MemberCheck.isCrc(new MemberInfo("extra/pages-1.img", 10), 2));
    byte[] b = {1, 2, 3};
    MemberCheck sha = MemberCheck.of(pages, 1);
    sha.update(b, 0, 3);
    assertEquals(ImageOutput.sha256(b), sha.finish());
  }
}
