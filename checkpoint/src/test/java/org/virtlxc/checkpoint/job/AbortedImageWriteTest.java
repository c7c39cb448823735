package org.virtlxc.checkpoint.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.MemberSource;
import org.virtlxc.checkpoint.image.SaveImageWriter;

/** A save image write reports to its job, and an abort request ends it with nothing left behind. */
class AbortedImageWriteTest {
  private static final String XML = "<domain type='lxc'><name>vlxct-imgtools-w</name>"
      + "<uuid>0b3c4a44-6a83-4c36-8a0e-3b1f0d0f6e11</uuid><memory unit='KiB'>65536</memory>"
      + "<os><type>exe</type><init>/bin/sh</init></os></domain>";

  @Test
  void writeReportsPhaseAndPagesThenAbortRemovesTheTemporaryFile(@TempDir Path jobs, @TempDir Path out)
      throws Exception {
    JobRegistry reg = new JobRegistry(jobs);
    Manifest m = Manifest.builder(XML).host(new HostFacts("6.18.0", "x86_64", List.of("fpu"), "4.1.1"))
        .memory(8 << 20 >> 12, 4096).build();
    List<MemberSource> members = List.of(MemberSource.ofBytes("criu/inventory.img", new byte[100]),
        MemberSource.ofBytes("criu/pages-1.img", new byte[8 << 20]));
    Path image = out.resolve("vlxct-imgtools.img");

    try (DomainJob job = DomainJob.begin(reg, "vlxct-imgtools-w", JobOperation.SAVE)) {
      List<Integer> seen = new java.util.ArrayList<>();
      job.onProgress(s -> seen.add(s.percent()));
      SaveImageWriter.create().progress(job.writeListener(4096)).write(image, m, members);
      assertEquals("writing image", job.state().phase());
      assertEquals(8 << 20, job.state().memoryTotal());
      assertEquals(8 << 20, job.state().memoryProcessed());
      assertEquals(99, seen.get(seen.size() - 1), "all written, not yet completed");
      assertTrue(seen.size() > 3, "several progress reports: " + seen);
      job.succeeded();
    }
    assertTrue(Files.isRegularFile(image));
    Files.delete(image);

    try (DomainJob job = DomainJob.begin(reg, "vlxct-imgtools-w", JobOperation.SAVE)) {
      reg.requestAbort("vlxct-imgtools-w");
      IOException e = assertThrows(IOException.class,
          () -> SaveImageWriter.create().progress(job.writeListener(4096)).write(image, m, members));
      assertTrue(JobAbortedException.isAbort(e), e.toString());
      assertTrue(e.getMessage().contains("operation aborted"), e.getMessage());
    }
    assertFalse(Files.exists(image));
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(List.of(), s.toList(), "no temporary file left");
    }
    assertEquals(JobResult.ABORTED, reg.completed("vlxct-imgtools-w").orElseThrow().result());
  }
}
