package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.checkpoint.job.DomainJob;
import org.virtlxc.checkpoint.job.JobAbortedException;
import org.virtlxc.checkpoint.job.JobOperation;
import org.virtlxc.checkpoint.job.JobRegistry;

/** domjobinfo and domjobabort against a job run by a thread of this JVM, through the registry's files. */
class DomJobCommandsTest {
  private static final String DOM = "vlxct-imgtools-job";
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();
  @TempDir
  Path jobs;

  @BeforeEach
  void setUp() {
    System.setProperty("virtlxc.jobs.dir", jobs.toString());
  }

  @AfterEach
  void tearDown() {
    System.clearProperty("virtlxc.jobs.dir");
  }

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    return VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
  }

  @Test
  void noJob() {
    assertEquals(0, run("domjobinfo", DOM));
    assertEquals("Job type:         None\n", out.toString());
    assertEquals(0, run("domjobinfo", "--completed", DOM));
    assertEquals("Job type:         None\n", out.toString());
    assertEquals(1, run("domjobabort", DOM));
    assertEquals("error: no job is running on domain " + DOM + " (no live " + jobs.resolve(DOM + ".job") + ")\n",
        err.toString());
  }

  @Test
  void anAbortThatComesTooLateSaysTheJobCompleted() throws Exception {
    DomainJob job = DomainJob.begin(new JobRegistry(jobs), DOM, JobOperation.RESTORE);
    CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
      try (job) {
        while (!job.abortRequested()) {
          Thread.sleep(10);
        }
        job.succeeded(); // its last step was past any abort point
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertEquals(1, run("domjobabort", DOM));
    assertEquals("error: the restore job on domain " + DOM + " completed before it could be aborted\n",
        err.toString());
    worker.get(10, TimeUnit.SECONDS);
  }

  @Test
  void infoShowsTheRunningJobAndAbortStopsIt() throws Exception {
    DomainJob job = DomainJob.begin(new JobRegistry(jobs), DOM, JobOperation.SAVE);
    job.phase("dumping");
    job.progress(30L << 20, 120L << 20, 30L << 20, 120L << 20);
    Thread.sleep(250);
    job.progress(60L << 20, 120L << 20, 60L << 20, 120L << 20);
    CompletableFuture<String> worker = CompletableFuture.supplyAsync(() -> {
      try (job) {
        while (true) {
          job.checkAborted();
          Thread.sleep(20);
        }
      } catch (JobAbortedException e) {
        return e.getMessage();
      } catch (InterruptedException e) {
        return "interrupted";
      }
    });
    assertEquals(0, run("domjobinfo", DOM));
    String info = out.toString();
    System.out.print(info);
    assertTrue(info.startsWith("Job type:         Unbounded\nOperation:        Save\nPhase:            dumping\n"
        + "Progress:         50 %\nTime elapsed:     "), info);
    assertTrue(info.contains("Memory processed: 60.000 MiB\nMemory remaining: 60.000 MiB\n"
        + "Memory total:     120.000 MiB\n"), info);

    assertEquals(0, run("domjobabort", DOM));
    assertEquals("", err.toString());
    assertEquals("operation aborted: save job of domain " + DOM + ": canceled by client",
        worker.get(10, TimeUnit.SECONDS));
    assertEquals(0, run("domjobinfo", DOM));
    assertEquals("Job type:         None\n", out.toString());
    assertEquals(0, run("domjobinfo", "--completed", DOM));
    assertTrue(out.toString().startsWith("Job type:         Cancelled\nOperation:        Save\n"), out.toString());
    assertTrue(out.toString().endsWith("Error:            operation aborted\n"), out.toString());
  }
}
