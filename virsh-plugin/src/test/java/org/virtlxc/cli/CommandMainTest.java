package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link VirtLxc#main} as the installed launcher runs it, in a JVM of its own: its own logging provider, the warm-up
 * thread for verbs that need it, only the verb it runs. Exit status and output as with every verb in-process.
 */
class CommandMainTest {
  private record Run(int status, String out, String err) {}

  private static Run main(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), VirtLxc.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "virt-lxc " + args + " did not end");
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void withoutAVerbItPrintsItsUsageListingEveryVerb() throws Exception {
    Run r = main();
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("restore") && r.err().contains("migration-service"), r.err());
  }

  @Test
  void aVerbsHelpGoesToStdout() throws Exception {
    Run r = main("restore", "--help");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("Usage: virt-lxc restore "), r.out());
    assertEquals("", r.err());
  }

  @Test
  void aWarmedVerbFailsWithItsOwnError() throws Exception {
    Run r = main("-c", "test:///default", "restore", "/nonexistent/vlxct-main.img"); // libvirt's in-process driver
    assertEquals(1, r.status(), r.out() + r.err());
    assertTrue(r.err().contains("/nonexistent/vlxct-main.img"), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
  }

  @Test
  void aVerbThatIsNotWarmedFailsAsBefore() throws Exception {
    Run r = main("save-image-info", "/nonexistent/vlxct-main.img");
    assertEquals(1, r.status(), r.out() + r.err());
    assertTrue(r.err().contains("/nonexistent/vlxct-main.img"), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
  }

  @Test
  void anUnknownVerbIsAUsageError() throws Exception {
    Run r = main("-c", "lxc:///", "sav", "web");
    assertEquals(2, r.status(), r.out() + r.err());
    assertTrue(r.err().contains("'sav'"), r.err());
  }
}
