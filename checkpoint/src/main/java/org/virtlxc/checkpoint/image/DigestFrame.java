package org.virtlxc.checkpoint.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The last 40 bytes of a compressed image: a zstd skippable frame (which zstd tools ignore) holding the SHA-256 of
 * all compressed bytes before it. zstd's own checksum covers the decompressed content only; this covers the
 * encoding too, so that no changed byte goes unnoticed.
 */
final class DigestFrame {
  static final int LENGTH = 4 + 4 + 32;
  private static final int MAGIC = 0x184D2A56;

  private DigestFrame() {}

  static byte[] of(byte[] sha256) {
    return ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(32).put(sha256).array();
  }

  /** Whether {@code tail} is a digest frame at all. */
  static boolean isFrame(byte[] tail) {
    if (tail.length != LENGTH) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN);
    return b.getInt() == MAGIC && b.getInt() == 32;
  }

  static boolean matches(byte[] tail, byte[] sha256) {
    return isFrame(tail) && Arrays.equals(tail, 8, LENGTH, sha256, 0, 32);
  }
}
