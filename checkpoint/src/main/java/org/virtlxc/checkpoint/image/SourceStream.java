package org.virtlxc.checkpoint.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The image's own bytes: a read error here is the source failing (disk, socket), not the image being corrupt. */
final class SourceStream extends FilterInputStream {
  /** The underlying file or stream failed. */
  static final class ReadFailure extends IOException {
    ReadFailure(String message, IOException cause) {
      super(message, cause);
    }
  }

  private final String image;

  SourceStream(InputStream in, String image) {
    super(in);
    this.image = image;
  }

  @Override
  public int read() throws IOException {
    try {
      return in.read();
    } catch (IOException e) {
      throw fail(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return in.read(b, off, len);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  private ReadFailure fail(IOException e) {
    return new ReadFailure("unable to read save image " + image + ": " + e.getMessage(), e);
  }
}
