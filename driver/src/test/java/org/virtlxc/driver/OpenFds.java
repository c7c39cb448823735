package org.virtlxc.driver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open fds, to catch leaks (in the spirit of okio's {@code checkNoOpenFiles()}). */
public final class OpenFds {
  private OpenFds() {}

  public static int count() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count() - 1; // the directory stream's own fd
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
