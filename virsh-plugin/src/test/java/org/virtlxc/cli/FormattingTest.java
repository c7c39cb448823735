package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.virtlxc.checkpoint.job.JobOperation;
import org.virtlxc.checkpoint.job.JobResult;
import org.virtlxc.checkpoint.job.JobState;

/** virsh-like tables and progress lines. */
class FormattingTest {
  private static final Instant T0 = Instant.parse("2026-11-27T11:00:00Z");

  @Test
  void keysArePaddedToOneColumn() {
    assertEquals("Id:             3300\nName:           web\n", new InfoLines(15).add("Id", 3300).add("Name", "web")
        .format());
    assertEquals("Id:                3300\nA much longer key: x\n",
        new InfoLines(15).add("Id", 3300).add("A much longer key", "x").format(), "the longest key sets the column");
  }

  @Test
  void sizesAsVirshPrintsCapacities() {
    assertEquals("0.000 B", InfoLines.size(0));
    assertEquals("512.000 B", InfoLines.size(512));
    assertEquals("1.500 KiB", InfoLines.size(1536));
    assertEquals("200.000 MiB", InfoLines.size(200L << 20));
    assertEquals("3.250 GiB", InfoLines.size(3L * (1 << 30) + (1 << 28)));
  }

  @Test
  void noJob() {
    assertEquals("Job type:         None\n", JobInfoFormat.format(Optional.empty(), T0));
  }

  @Test
  void aRunningJobAsVirshDomjobinfo() {
    JobState s = JobState.begun(JobOperation.SAVE, 7, T0, T0).withPhase("dumping", T0)
        .withProgress(50L << 20, 200L << 20, 50L << 20, 200L << 20, T0.plusMillis(900));
    assertEquals(""
        + "Job type:         Unbounded\n"
        + "Operation:        Save\n"
        + "Phase:            dumping\n"
        + "Progress:         25 %\n"
        + "Time elapsed:     1234 ms\n"
        + "Data processed:   50.000 MiB\n"
        + "Data remaining:   150.000 MiB\n"
        + "Data total:       200.000 MiB\n"
        + "Memory processed: 50.000 MiB\n"
        + "Memory remaining: 150.000 MiB\n"
        + "Memory total:     200.000 MiB\n", JobInfoFormat.format(Optional.of(s), T0.plusMillis(1234)));
  }

  @Test
  void finishedJobs() {
    JobState begun = JobState.begun(JobOperation.RESTORE, 7, T0, T0);
    assertEquals("Job type:         Completed\nOperation:        Restore\nTime elapsed:     2000 ms\n",
        JobInfoFormat.format(Optional.of(begun.withResult(JobResult.COMPLETED, null, T0.plusSeconds(2))),
            T0.plusSeconds(90)));
    assertEquals("Job type:         Cancelled\nOperation:        Restore\nTime elapsed:     0 ms\n"
        + "Error:            operation aborted\n",
        JobInfoFormat.format(Optional.of(begun.withResult(JobResult.ABORTED, "operation aborted", T0)), T0));
    assertEquals("Failed", JobInfoFormat.jobType(JobResult.FAILED));
  }

  @Test
  void progressIsRedrawnOnlyWhenThePercentChanges() {
    StringWriter w = new StringWriter();
    ProgressPrinter p = new ProgressPrinter(new PrintWriter(w), "Save");
    JobState s = JobState.begun(JobOperation.SAVE, 7, T0, T0);
    p.accept(s);
    p.accept(s.withProgress(0, 0, 42, 100, T0));
    p.accept(s.withProgress(0, 0, 42, 100, T0));
    p.accept(s.withProgress(0, 0, 99, 100, T0));
    p.finish(true);
    assertEquals("\rSave: [  0 %]\rSave: [ 42 %]\rSave: [ 99 %]\rSave: [100 %]\n", w.toString());
    assertEquals("Restore: [  5 %]", ProgressPrinter.line("Restore", 5));
  }

  @Test
  void aFailedJobLeavesItsLastPercentAndEndsTheLine() {
    StringWriter w = new StringWriter();
    ProgressPrinter p = new ProgressPrinter(new PrintWriter(w), "Save");
    p.accept(JobState.begun(JobOperation.SAVE, 7, T0, T0).withProgress(0, 0, 3, 10, T0));
    p.finish(false);
    assertEquals("\rSave: [ 30 %]\n", w.toString());
  }
}
