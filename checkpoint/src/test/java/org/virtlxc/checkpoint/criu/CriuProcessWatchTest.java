package org.virtlxc.checkpoint.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A watched CRIU run (a stand-in process here) is polled while it runs and killed by its pid when the watch says. */
class CriuProcessWatchTest {
  @Test
  void theWatchStopsTheProcessAndItsReasonIsTheFailure(@TempDir Path dir) throws Exception {
    Path pidFile = dir.resolve("pid");
    List<String> cmd = List.of("/bin/sh", "-c", "echo $$ > " + pidFile + "; exec sleep 60");
    AtomicInteger polls = new AtomicInteger();
    long t0 = System.nanoTime();
    Optional<String> r = CriuProcess.run(cmd, Map.of(), dir.resolve("dump.log"), dir.resolve("out"),
        Duration.ofSeconds(30), () -> polls.incrementAndGet() >= 3 ? Optional.of("stop now") : Optional.empty());
    assertEquals(Optional.of("stop now"), r);
    assertTrue(polls.get() >= 3);
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "stopped long before its end");
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the process " + pid + " is gone");
  }

  @Test
  void anUnwatchedSuccessIsEmpty(@TempDir Path dir) throws Exception {
    assertEquals(Optional.empty(), CriuProcess.run(List.of("true"), Map.of(), dir.resolve("l"), dir.resolve("o"),
        Duration.ofSeconds(10)));
  }
}
