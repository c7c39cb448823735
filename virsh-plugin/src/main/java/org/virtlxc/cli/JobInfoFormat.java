package org.virtlxc.cli;

import java.time.Instant;
import java.util.Optional;
import org.virtlxc.checkpoint.job.JobResult;
import org.virtlxc.checkpoint.job.JobState;

/** The {@code virsh domjobinfo} table for a virt-lxc job. */
final class JobInfoFormat {
  /** virsh's key column for domjobinfo ("Memory processed:" and a space). */
  private static final int WIDTH = 17;

  private JobInfoFormat() {}

  /** The table for {@code job} (a running job, or a finished one for {@code --completed}); "None" when empty. */
  static String format(Optional<JobState> job, Instant now) {
    InfoLines t = new InfoLines(WIDTH);
    if (job.isEmpty()) {
      return t.add("Job type", "None").format();
    }
    JobState j = job.get();
    t.add("Job type", jobType(j.result()));
    t.add("Operation", j.operation().label());
    if (!j.finished()) {
      t.add("Phase", j.phase());
      t.add("Progress", j.percent() + " %");
    }
    t.add("Time elapsed", j.elapsed(now).toMillis() + " ms");
    if (j.dataTotal() > 0 || j.dataProcessed() > 0) {
      t.add("Data processed", InfoLines.size(j.dataProcessed()));
      t.add("Data remaining", InfoLines.size(Math.max(0, j.dataTotal() - j.dataProcessed())));
      t.add("Data total", InfoLines.size(j.dataTotal()));
    }
    if (j.memoryTotal() > 0 || j.memoryProcessed() > 0) {
      t.add("Memory processed", InfoLines.size(j.memoryProcessed()));
      t.add("Memory remaining", InfoLines.size(Math.max(0, j.memoryTotal() - j.memoryProcessed())));
      t.add("Memory total", InfoLines.size(j.memoryTotal()));
    }
    if (j.error() != null) {
      t.add("Error", j.error());
    }
    return t.format();
  }

  /** virsh's names of libvirt's job types: a running job is unbounded (its total is only estimated). */
  static String jobType(JobResult result) {
    if (result == null) {
      return "Unbounded";
    }
    return switch (result) {
      case COMPLETED -> "Completed";
      case FAILED -> "Failed";
      case ABORTED -> "Cancelled";
    };
  }
}
