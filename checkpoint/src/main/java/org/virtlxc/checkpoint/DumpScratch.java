package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Where a save has CRIU dump before the image is written: memory ({@code /dev/shm}) when it has room for the dump with
 * a margin to spare, else a directory next to the image file. In memory CRIU's page writes and the image writer's reads
 * cost a copy each instead of a trip through the disk's page cache (and its writeback competing with the image's own).
 */
final class DumpScratch {
  private static final Logger LOG = LogManager.getLogger(DumpScratch.class);
  /** The tmpfs tried first; {@code -Dvirtlxc.save.scratch=DIR} names another, {@code none} keeps dumps on disk. */
  static final Path SHM = Path.of("/dev/shm");
  /** Memory left over once the dump is in tmpfs: for the image writer, the restored tree, everyone else. */
  static final long MARGIN = 512L << 20;

  private DumpScratch() {}

  /**
   * A new private directory for a dump of about {@code dumpBytes}: below the tmpfs when {@code memAvailable} exceeds
   * the dump by {@link #MARGIN} (a quarter more for the rest of the images), else below {@code nextToImage}.
   */
  static Path create(Path nextToImage, String prefix, long dumpBytes) throws IOException {
    Path tmpfs = tmpfs();
    if (tmpfs != null && fitsInMemory(tmpfs, dumpBytes)) {
      try {
        return Files.createTempDirectory(tmpfs, prefix);
      } catch (IOException e) {
        LOG.warn("unable to create a dump directory in {}, dumping next to the image: {}", tmpfs, e.getMessage());
      }
    }
    return Files.createTempDirectory(nextToImage, prefix);
  }

  /**
   * Whether {@code bytes} of files fit below the tmpfs directory {@code dir}: in MemAvailable as {@link #fits} says, and
   * in the tmpfs's own free space (a quarter more).
   */
  static boolean fitsInMemory(Path dir, long bytes) {
    Path existing = dir;
    while (existing != null && !Files.isDirectory(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !fits(bytes, memAvailable())) {
      return false;
    }
    try {
      return Files.getFileStore(existing).getUsableSpace() >= bytes + bytes / 4;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether a dump of {@code dumpBytes} fits in memory with {@code available} bytes available. */
  static boolean fits(long dumpBytes, OptionalLong available) {
    return available.isPresent() && available.getAsLong() - dumpBytes - dumpBytes / 4 >= MARGIN;
  }

  private static Path tmpfs() {
    String p = System.getProperty("virtlxc.save.scratch");
    if (p == null || p.isBlank()) {
      return SHM;
    }
    return p.equals("none") ? null : Path.of(p);
  }

  /** MemAvailable of /proc/meminfo in bytes, if readable. */
  static OptionalLong memAvailable() {
    try {
      return memAvailable(Files.readAllLines(Path.of("/proc/meminfo")));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  static OptionalLong memAvailable(List<String> meminfo) {
    for (String line : meminfo) {
      if (line.startsWith("MemAvailable:")) {
        String[] f = line.trim().split("\\s+");
        try {
          return OptionalLong.of(Long.parseLong(f[1]) * 1024);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }
}
