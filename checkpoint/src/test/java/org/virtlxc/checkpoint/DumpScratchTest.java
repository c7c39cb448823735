package org.virtlxc.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A save dumps into memory only when the dump, a quarter more and the margin fit in MemAvailable. */
class DumpScratchTest {
  private static final long GIB = 1L << 30;

  @Test
  void fitsLeavesTheMargin() {
    assertTrue(DumpScratch.fits(GIB, OptionalLong.of(GIB + GIB / 4 + DumpScratch.MARGIN)));
    assertFalse(DumpScratch.fits(GIB, OptionalLong.of(GIB + GIB / 4 + DumpScratch.MARGIN - 1)));
    assertFalse(DumpScratch.fits(0, OptionalLong.empty()), "unknown memory: on disk");
  }

  @Test
  void fitsInMemoryLooksAtTheTmpfsFreeSpaceToo() {
    assertTrue(DumpScratch.fitsInMemory(DumpScratch.SHM.resolve("vlxct-stream-not-yet"), 1 << 20),
        "1 MiB fits below /dev/shm (the directory need not exist yet)");
    assertFalse(DumpScratch.fitsInMemory(DumpScratch.SHM, Long.MAX_VALUE / 4), "more than the machine holds");
  }

  @Test
  void readsMemAvailable() {
    assertEquals(OptionalLong.of(23641L * 1024), DumpScratch.memAvailable(List.of("MemTotal:       24684000 kB",
        "MemFree:        23829000 kB", "MemAvailable:      23641 kB")));
    assertEquals(OptionalLong.empty(), DumpScratch.memAvailable(List.of("MemTotal: 1 kB")));
    assertTrue(DumpScratch.memAvailable().isPresent(), "this host's /proc/meminfo");
  }
}
