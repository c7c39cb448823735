package org.virtlxc.checkpoint.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The anonymous memory of a process tree (the bulk of what CRIU writes to {@code pages-*.img}). */
public final class TreeMemory {
  private TreeMemory() {}

  /** Sum of {@code RssAnon} of {@code root} and all its descendants, in bytes; processes that vanish count 0. */
  public static long anonymousBytes(long root) {
    return ProcessHandle.of(root)
        .map(p -> Stream.concat(Stream.of(p), p.descendants()).mapToLong(h -> rssAnon(h.pid())).sum())
        .orElse(0L);
  }

  static long rssAnon(long pid) {
    try {
      return rssAnon(Files.readAllLines(Path.of("/proc/" + pid + "/status")));
    } catch (IOException e) {
      return 0;
    }
  }

  /** The {@code RssAnon:} line of a {@code /proc/PID/status} text, in bytes (0 if absent, as for kernel threads). */
  static long rssAnon(List<String> status) {
    for (String line : status) {
      if (line.startsWith("RssAnon:")) {
        String[] f = line.substring("RssAnon:".length()).trim().split("\\s+");
        return Long.parseLong(f[0]) * 1024;
      }
    }
    return 0;
  }

  /** Bytes in CRIU's page images ({@code pages-*.img}) in {@code imageDir} so far. */
  public static long pageImageBytes(Path imageDir) {
    try (Stream<Path> s = Files.list(imageDir)) {
      return s.filter(p -> p.getFileName().toString().matches("pages-\\d+\\.img")).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException e) {
      return 0;
    }
  }
}
