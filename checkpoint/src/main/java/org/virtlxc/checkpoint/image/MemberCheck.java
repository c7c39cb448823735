package org.virtlxc.checkpoint.image;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * How one member's content is checked, as lower-case hex: a SHA-256 (every member of a format 1 image, and every
 * member but the page images from format 2 on), or, for the page images from format 2 on, the CRC32C of each
 * {@value #CHUNK}-byte chunk, 8 hex digits per chunk (the last chunk may be shorter; an empty member has none).
 *
 * <p>Why page images are not hashed with SHA-256 from format 2 on: hashing is what bounds a restore (0.6-0.7 s per GiB
 * even with the CPU's SHA instructions, against 0.02 s for CRC32C), and a page image's bytes need no more than a
 * check against corruption and truncation; the list of their CRCs ({@value MemberNames#PAGE_SUMS}) is itself listed,
 * with its SHA-256, in {@value MemberNames#SUMS}.
 */
abstract class MemberCheck {
  /** Bytes per CRC32C of a page image. */
  static final int CHUNK = 1 << 20;

  /** The check of {@code member} in an image of format {@code formatVersion}. */
  static MemberCheck of(MemberInfo member, int formatVersion) {
    return isCrc(member, formatVersion) ? new Crc32cChunks() : new Sha256Check();
  }

  /** Whether {@code member} is checked by CRC32C chunks rather than SHA-256 in an image of {@code formatVersion}. */
  static boolean isCrc(MemberInfo member, int formatVersion) {
    return formatVersion >= 2 && member.isPages();
  }

  /** The CRC32C chunks of a page image (format 2 on), or of a part of one starting at a chunk boundary. */
  static MemberCheck crc32cChunks() {
    return new Crc32cChunks();
  }

  /** A SHA-256 check, as for the manifest and the trailer. */
  static MemberCheck sha256() {
    return new Sha256Check();
  }

  abstract void update(byte[] b, int off, int len);

  /** Checks the remaining bytes of {@code buffer} (a direct or mapped one is read in place), consuming them. */
  abstract void update(ByteBuffer buffer);

  /** The hex check value of everything updated since creation or the last call, which starts a new one. */
  abstract String finish();

  private static final class Sha256Check extends MemberCheck {
    private final Sha256 md = Sha256.create();

    @Override
    void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    void update(ByteBuffer buffer) {
      md.update(buffer);
    }

    @Override
    String finish() {
      return DigestList.hex(md.digest());
    }
  }

  private static final class Crc32cChunks extends MemberCheck {
    private final CRC32C crc = new CRC32C();
    private final StringBuilder hex = new StringBuilder();
    private int inChunk;

    @Override
    void update(byte[] b, int off, int len) {
      while (len > 0) {
        int k = Math.min(len, CHUNK - inChunk);
        crc.update(b, off, k);
        off += k;
        len -= k;
        advance(k);
      }
    }

    @Override
    void update(ByteBuffer buffer) {
      while (buffer.hasRemaining()) {
        int k = Math.min(buffer.remaining(), CHUNK - inChunk);
        ByteBuffer slice = buffer.slice(buffer.position(), k);
        crc.update(slice);
        buffer.position(buffer.position() + k);
        advance(k);
      }
    }

    private void advance(int k) {
      inChunk += k;
      if (inChunk == CHUNK) {
        endChunk();
      }
    }

    private void endChunk() {
      String v = Integer.toHexString((int) crc.getValue());
      hex.append("00000000", v.length(), 8).append(v);
      crc.reset();
      inChunk = 0;
    }

    @Override
    String finish() {
      if (inChunk > 0) {
        endChunk();
      }
      String out = hex.toString();
      hex.setLength(0);
      return out;
    }
  }
}
