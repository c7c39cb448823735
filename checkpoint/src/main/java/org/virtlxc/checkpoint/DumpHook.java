package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** What a dump runs around CRIU: before CRIU starts (its images directory prepared), and once it has exited. */
interface DumpHook {
  DumpHook NONE = new DumpHook() { };

  /** CRIU is about to dump into {@code imageDir}; a failure stops the dump before CRIU runs (nothing happened). */
  default void beforeCriu(Path imageDir) throws IOException {}

  /** CRIU has exited, or was never started after {@link #beforeCriu}: whatever the outcome. */
  default void criuEnded() {}

  /** Page image bytes written so far that the images directory does not show (streamed elsewhere). */
  default long pageBytesElsewhere() {
    return 0;
  }
}
