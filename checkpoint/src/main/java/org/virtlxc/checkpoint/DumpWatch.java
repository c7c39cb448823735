package org.virtlxc.checkpoint;

import java.nio.file.Path;
import java.util.Optional;
import org.virtlxc.checkpoint.criu.CriuProcess;
import org.virtlxc.checkpoint.job.DomainJob;
import org.virtlxc.checkpoint.job.TreeMemory;

/**
 * Watches a running CRIU dump for its job: reports the bytes of the page images written so far against the tree's
 * anonymous memory (an estimate: CRIU skips what it need not dump), and stops CRIU when the job is asked to abort.
 */
final class DumpWatch implements CriuProcess.Watch {
  /** The failure text that marks an abort rather than a CRIU failure. */
  static final String ABORTED = "aborted by request";

  private final DomainJob job;
  private final Path imageDir;
  private final long memoryTotal;
  private final DumpHook hook;

  DumpWatch(DomainJob job, Path imageDir, long memoryTotal, DumpHook hook) {
    this.job = job;
    this.imageDir = imageDir;
    this.memoryTotal = memoryTotal;
    this.hook = hook;
  }

  boolean aborted() {
    return job.abortRequested();
  }

  @Override
  public Optional<String> check() {
    if (aborted()) {
      return Optional.of(ABORTED);
    }
    long written = TreeMemory.pageImageBytes(imageDir) + hook.pageBytesElsewhere();
    long total = Math.max(memoryTotal, written);
    job.progress(written, total, written, total);
    return Optional.empty();
  }
}
