package org.virtlxc.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link ProcessExit} against real processes: a running one, an unreaped zombie, one that is gone. */
class ProcessExitTest {
  @Test
  void aRunningProcessHasNotEndedUntilItIsKilled() throws Exception {
    Process p = new ProcessBuilder("sleep", "30").start();
    String start;
    try {
      start = ProcessExit.startTime(p.pid()).orElseThrow();
      assertFalse(ProcessExit.hasEnded(p.pid(), start));
      assertTrue(ProcessExit.isRunning(p.pid()));
      assertFalse(ProcessExit.await(p.pid(), Duration.ofMillis(100)), "still running after the timeout");
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
    assertTrue(ProcessExit.hasEnded(p.pid(), start), "killed and reaped");
    assertTrue(ProcessExit.await(p.pid(), Duration.ofSeconds(5)));
    assertFalse(ProcessExit.isRunning(p.pid()), "gone");
  }

  @Test
  void anUnreapedZombieHasEnded() throws Exception {
    // The shell starts a child that exits shortly, prints its pid, then becomes sleep, which never reaps it.
    Process parent = new ProcessBuilder("sh", "-c", "sleep 0.2 & echo $!; exec sleep 30").start();
    try {
      long zombie = Long.parseLong(firstLine(parent));
      String state = "";
      for (int i = 0; i < 250 && !state.equals("Z"); i++) {
        Thread.sleep(20);
        state = stateOf(zombie);
      }
      assertEquals("Z", state, "child " + zombie + " of the sleeping parent is a zombie");
      assertTrue(ProcessExit.await(zombie, Duration.ofSeconds(5)), "a zombie counts as ended");
      assertFalse(ProcessExit.isRunning(zombie), "and not as running");
      assertEquals("Z", stateOf(zombie), "and is still unreaped: onExit() would still wait");
    } finally {
      parent.destroyForcibly();
      parent.waitFor();
    }
  }

  @Test
  void anotherProcessUnderTheSamePidMeansTheOneWaitedForHasEnded() throws Exception {
    long self = ProcessHandle.current().pid();
    assertFalse(ProcessExit.hasEnded(self, ProcessExit.startTime(self).orElseThrow()));
    assertTrue(ProcessExit.hasEnded(self, "1"), "a different start time: not the process waited for");
  }

  private static String firstLine(Process p) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int c; (c = p.getInputStream().read()) >= 0 && c != '\n'; ) {
      b.append((char) c);
    }
    return b.toString().strip();
  }

  private static String stateOf(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
    return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  }
}
