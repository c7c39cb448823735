package org.virtlxc.checkpoint.image;

import java.io.IOException;

/**
 * How far a save image write is: payload bytes and memory pages written of their totals.
 *
 * @param bytesWritten payload bytes written so far
 * @param bytesTotal   payload bytes in the image
 * @param pagesWritten memory pages (bytes of {@code criu/pages-*.img} / page size) written so far
 * @param pagesTotal   memory pages in the image
 */
public record WriteProgress(long bytesWritten, long bytesTotal, long pagesWritten, long pagesTotal) {
  /**
   * Receives progress, at most about once per MiB written and once at the end of each member. An exception it throws
   * (e.g. a job abort) ends the write: the writer removes its temporary file and rethrows it.
   */
  @FunctionalInterface
  public interface Listener {
    void progress(WriteProgress p) throws IOException;

    Listener NONE = p -> { };
  }

  /** Percent of pages written (of bytes when the image has no pages), 0 to 100. */
  public int percent() {
    if (pagesTotal > 0) {
      return (int) (pagesWritten * 100 / pagesTotal);
    }
    return bytesTotal == 0 ? 100 : (int) (bytesWritten * 100 / bytesTotal);
  }
}
