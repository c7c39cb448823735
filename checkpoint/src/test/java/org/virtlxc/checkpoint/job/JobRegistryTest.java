package org.virtlxc.checkpoint.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.checkpoint.CheckpointException;

/** The job registry on real files in a temporary directory. */
class JobRegistryTest {
  @TempDir
  Path dir;

  @Test
  void aJobIsVisibleWhileItRunsAndKeptAsCompletedAfterwards() throws Exception {
    JobRegistry reg = new JobRegistry(dir);
    assertEquals(Optional.empty(), reg.active("vlxct-imgtools-a"));
    try (DomainJob job = DomainJob.begin(reg, "vlxct-imgtools-a", JobOperation.SAVE)) {
      JobState s = reg.active("vlxct-imgtools-a").orElseThrow();
      assertEquals(ProcessHandle.current().pid(), s.pid());
      assertEquals(JobOperation.SAVE, s.operation());
      job.phase("dumping");
      assertEquals("dumping", reg.active("vlxct-imgtools-a").orElseThrow().phase(), "a phase is written at once");
      Thread.sleep(250);
      job.progress(10, 100, 20, 40);
      JobState p = reg.active("vlxct-imgtools-a").orElseThrow();
      assertEquals(50, p.percent());
      assertEquals(10, p.dataProcessed());
      job.succeeded();
    }
    assertEquals(Optional.empty(), reg.active("vlxct-imgtools-a"));
    JobState done = reg.completed("vlxct-imgtools-a").orElseThrow();
    assertEquals(JobResult.COMPLETED, done.result());
    assertEquals(100, done.percent());
    assertEquals(Stream.of("vlxct-imgtools-a.completed").toList(), listing(), "only the completed record is left");
  }

  @Test
  void aSecondJobOnTheSameDomainIsRefused() throws Exception {
    JobRegistry reg = new JobRegistry(dir);
    try (DomainJob first = DomainJob.begin(reg, "vlxct-imgtools-b", JobOperation.SAVE)) {
      CheckpointException e = assertThrows(CheckpointException.class,
          () -> DomainJob.begin(reg, "vlxct-imgtools-b", JobOperation.RESTORE));
      assertEquals("unable to begin a restore job on domain vlxct-imgtools-b: a save job (pid "
          + ProcessHandle.current().pid() + ") is already running on it", e.getMessage());
      DomainJob.begin(reg, "vlxct-imgtools-other", JobOperation.RESTORE).close();
    }
  }

  @Test
  void aStaleFileOfADeadProcessIsNoJob() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    JobState stale = JobState.begun(JobOperation.SAVE, p.pid(), Instant.now(), Instant.now());
    Files.writeString(dir.resolve("vlxct-imgtools-c.job"), stale.format());
    JobRegistry reg = new JobRegistry(dir);
    assertEquals(Optional.empty(), reg.active("vlxct-imgtools-c"));
    IOException e = assertThrows(IOException.class, () -> reg.requestAbort("vlxct-imgtools-c"));
    assertEquals("no job is running on domain vlxct-imgtools-c (no live " + dir.resolve("vlxct-imgtools-c.job")
        + ")", e.getMessage());
    DomainJob.begin(reg, "vlxct-imgtools-c", JobOperation.SAVE).close(); // a stale file does not block a new job
  }

  @Test
  void aLiveProcessWithAnotherStartTimeIsAReusedPid() throws Exception {
    JobState reused = JobState.begun(JobOperation.SAVE, ProcessHandle.current().pid(), Instant.parse(
        "2001-01-01T00:00:00Z"), Instant.now());
    assertFalse(JobRegistry.alive(reused));
    assertTrue(JobRegistry.alive(JobState.begun(JobOperation.SAVE, ProcessHandle.current().pid(),
        JobRegistry.ownStart(), Instant.now())));
  }

  @Test
  void abortIsRequestedThroughAFlagTheJobPollsAndEndsAsAborted() throws Exception {
    JobRegistry reg = new JobRegistry(dir);
    DomainJob job = DomainJob.begin(reg, "vlxct-imgtools-d", JobOperation.SAVE);
    job.checkAborted();
    JobState asked = reg.requestAbort("vlxct-imgtools-d");
    assertEquals(job.state().started(), asked.started());
    assertTrue(job.abortRequested());
    JobAbortedException e = assertThrows(JobAbortedException.class, job::checkAborted);
    assertEquals("operation aborted: save job of domain vlxct-imgtools-d: canceled by client", e.getMessage());
    assertFalse(reg.awaitEnd("vlxct-imgtools-d", asked, Duration.ofMillis(100)), "still running");
    job.close();
    assertTrue(reg.awaitEnd("vlxct-imgtools-d", asked, Duration.ofMillis(100)));
    JobState done = reg.completed("vlxct-imgtools-d").orElseThrow();
    assertEquals(JobResult.ABORTED, done.result());
    assertEquals("operation aborted", done.error());
    assertFalse(Files.exists(reg.abortFile("vlxct-imgtools-d")), "the request is removed with the job");
  }

  @Test
  void anAbortRequestForAnEarlierJobDoesNotStopTheNextOne() throws Exception {
    JobRegistry reg = new JobRegistry(dir);
    Files.writeString(reg.abortFile("vlxct-imgtools-e"), "pid=1\nstarted=2001-01-01T00:00:00Z\n");
    try (DomainJob job = DomainJob.begin(reg, "vlxct-imgtools-e", JobOperation.RESTORE)) {
      assertFalse(job.abortRequested());
      job.failed("CRIU: something");
    }
    JobState done = reg.completed("vlxct-imgtools-e").orElseThrow();
    assertEquals(JobResult.FAILED, done.result());
    assertEquals("CRIU: something", done.error());
  }

  @Test
  void progressWritesAreThrottledButListenersSeeEveryUpdate() throws Exception {
    JobRegistry reg = new JobRegistry(dir);
    java.util.List<Integer> seen = new java.util.ArrayList<>();
    try (DomainJob job = DomainJob.begin(reg, "vlxct-imgtools-f", JobOperation.SAVE)) {
      job.onProgress(s -> seen.add(s.percent()));
      job.phase("dumping");
      for (int i = 1; i <= 5; i++) {
        job.progress(i, 10, 0, 0);
      }
      assertEquals(0, reg.active("vlxct-imgtools-f").orElseThrow().dataProcessed(), "written at most every 200 ms");
      job.succeeded();
    }
    assertEquals(java.util.List.of(0, 10, 20, 30, 40, 50, 100), seen);
  }

  @Test
  void domainNamesThatLeaveTheDirectoryAreRefused() {
    JobRegistry reg = new JobRegistry(dir);
    assertThrows(IllegalArgumentException.class, () -> reg.jobFile("../x"));
    assertThrows(IllegalArgumentException.class, () -> reg.jobFile(".hidden"));
  }

  private java.util.List<String> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
