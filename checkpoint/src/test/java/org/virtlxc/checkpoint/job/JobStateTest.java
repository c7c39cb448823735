package org.virtlxc.checkpoint.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobStateTest {
  private static final Instant T0 = Instant.parse("2026-11-27T11:00:00Z");

  @Test
  void runningStateRoundTripsThroughItsFile() throws IOException {
    JobState s = JobState.begun(JobOperation.SAVE, 4242, T0.minusSeconds(5), T0)
        .withPhase("dumping", T0.plusMillis(10)).withProgress(50 << 20, 200 << 20, 50 << 20, 200 << 20,
            T0.plusMillis(1500));
    String text = s.format();
    assertTrue(text.contains("percent=25"), text);
    assertTrue(text.contains("phase=dumping"), text);
    assertEquals(s, JobState.parse(text, "f"));
    assertEquals(25, s.percent());
    assertEquals(Duration.ofMillis(2500), s.elapsed(T0.plusMillis(2500)));
  }

  @Test
  void finishedStateKeepsResultErrorAndEnd() throws IOException {
    JobState s = JobState.begun(JobOperation.MIGRATION_OUT, 1, T0, T0)
        .withResult(JobResult.ABORTED, "operation aborted", T0.plusSeconds(3));
    JobState back = JobState.parse(s.format(), "f");
    assertEquals(s, back);
    assertEquals(Duration.ofSeconds(3), back.elapsed(T0.plusSeconds(60)), "a finished job's time stops at its end");
    assertTrue(back.finished());
  }

  @Test
  void percentPrefersMemoryThenDataAndIsCapped() {
    JobState s = JobState.begun(JobOperation.RESTORE, 1, T0, T0);
    assertEquals(0, s.percent());
    assertEquals(40, s.withProgress(40, 100, 0, 0, T0).percent());
    assertEquals(10, s.withProgress(40, 100, 1, 10, T0).percent());
    assertEquals(99, s.withProgress(0, 0, 20, 10, T0).percent(), "CRIU may write more than the RSS estimate");
    assertEquals(99, s.withProgress(10, 10, 0, 0, T0).percent(), "100 only once completed");
    assertEquals(100, s.withResult(JobResult.COMPLETED, null, T0).percent());
  }

  @Test
  void aDamagedFileIsNamedInTheError() {
    IOException e = assertThrows(IOException.class, () -> JobState.parse("operation=save\npid=7\n", "/j/web.job"));
    assertEquals("job state /j/web.job has no 'pid.started'", e.getMessage());
    IOException e1 = assertThrows(IOException.class, () -> JobState.parse("operation=save\npid=x\n", "/j/web.job"));
    assertEquals("job state /j/web.job: 'pid' is not a number: x", e1.getMessage());
    IOException e2 = assertThrows(IOException.class, () -> JobState.parse(
        JobState.begun(JobOperation.SAVE, 1, T0, T0).format().replace("operation=save", "operation=fly"), "/j/a"));
    assertEquals("job state /j/a is not readable: unknown job operation 'fly'", e2.getMessage());
  }
}
