package org.virtlxc.checkpoint.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The tar header records (with a PAX header before them when a size needs one) that {@link ImageOutput}'s tar stream
 * writes for an entry, byte for byte: for a member whose content is then copied into the image by the kernel.
 */
final class TarHeader {
  private TarHeader() {}

  /** The records, a multiple of {@link ImageOutput#RECORD} bytes, that precede {@code entry}'s content. */
  static byte[] of(TarArchiveEntry entry) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 * ImageOutput.RECORD);
    TarArchiveOutputStream tar = configure(new TarArchiveOutputStream(bytes, ImageOutput.RECORD));
    tar.putArchiveEntry(entry);
    tar.flush();
    byte[] header = bytes.toByteArray();
    if (header.length == 0 || header.length % ImageOutput.RECORD != 0) {
      throw new IllegalStateException("tar header for " + entry.getName() + " is " + header.length + " bytes");
    }
    return header;
  }

  /**
   * The single header record for a member written before its size was known, into a 512-byte slot: as {@link #of},
   * but a size of 8 GiB or more is written in the binary (star) form instead of a PAX record, which would not fit.
   */
  static byte[] single(TarArchiveEntry entry) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(ImageOutput.RECORD);
    TarArchiveOutputStream tar = configure(new TarArchiveOutputStream(bytes, ImageOutput.RECORD));
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
    tar.putArchiveEntry(entry);
    tar.flush();
    byte[] header = bytes.toByteArray();
    if (header.length != ImageOutput.RECORD) {
      throw new IllegalStateException("tar header for " + entry.getName() + " is " + header.length + " bytes");
    }
    return header;
  }

  /** The options every tar stream of a save image uses. */
  static TarArchiveOutputStream configure(TarArchiveOutputStream tar) {
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_ERROR);
    return tar;
  }
}
