package org.virtlxc.checkpoint.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeMemoryTest {
  @Test
  void rssAnonIsReadInBytes() {
    assertEquals(1234L * 1024, TreeMemory.rssAnon(List.of("Name:\tsh", "VmRSS:\t  9999 kB", "RssAnon:\t    1234 kB")));
    assertEquals(0, TreeMemory.rssAnon(List.of("Name:\tkthreadd")));
  }

  @Test
  void thisJvmHasAnonymousMemory() {
    long own = TreeMemory.anonymousBytes(ProcessHandle.current().pid());
    assertTrue(own > 1 << 20, "a JVM has more than 1 MiB of anonymous memory: " + own);
  }

  @Test
  void onlyPageImagesCount(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("pages-1.img"), new byte[3000]);
    Files.write(dir.resolve("pages-12.img"), new byte[100]);
    Files.write(dir.resolve("pagemap-1.img"), new byte[500]);
    Files.write(dir.resolve("core-1.img"), new byte[700]);
    assertEquals(3100, TreeMemory.pageImageBytes(dir));
    assertEquals(0, TreeMemory.pageImageBytes(dir.resolve("missing")));
  }
}
