package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Command-line errors of the save verbs, found before libvirt is contacted: usage errors, exit status 2. */
class SaveRestoreCommandLineTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
  }

  @Test
  void anUnknownCompressionIsAUsageError() {
    assertEquals(2, run("save", "web", "/tmp/vlxct-saveapi-web.save", "--compress=lz4"));
    assertTrue(err.toString().startsWith("invalid value for --compress: unknown compression 'lz4' (expected none or"
        + " zstd)"), err.toString());
  }

  @Test
  void compressWithoutAValueLeavesTheDomainAlone() {
    Save save = parsedSave("save", "--compress", "web", "/tmp/vlxct-saveapi-web.save");
    assertEquals("web", save.domain);
    assertEquals("zstd", save.compress);
    assertEquals("/tmp/vlxct-saveapi-web.save", save.file.toString());
  }

  @Test
  void compressTakesAnAttachedOrASeparateValue() {
    assertEquals("none", parsedSave("save", "--compress=none", "web", "f").compress);
    assertEquals("none", parsedSave("save", "--compress", "none", "web", "f").compress);
    assertEquals("zstd", parsedSave("save", "web", "f", "--compress").compress);
    assertEquals("none", parsedSave("save", "web", "f").compress, "no compression by default");
  }

  private Save parsedSave(String... args) {
    CommandLine cl = VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true));
    CommandLine.ParseResult result = cl.parseArgs(args);
    return (Save) result.subcommand().commandSpec().userObject();
  }

  @Test
  void runningAndPausedExcludeEachOther() {
    assertEquals(2, run("restore", "/tmp/vlxct-saveapi-web.save", "--running", "--paused"));
    assertTrue(err.toString().contains("mutually exclusive"), err.toString());
  }

  @Test
  void saveNeedsADomainAndAFile() {
    assertEquals(2, run("save", "web"));
    assertTrue(err.toString().contains("Missing required parameter: 'FILE'"), err.toString());
  }

  @Test
  void theVerbsAreListed() {
    assertEquals(0, run("help"));
    for (String verb : new String[] {"save", "restore", "managedsave", "managedsave-remove", "start"}) {
      assertTrue(out.toString().contains("  " + verb + " "), verb + " in\n" + out);
    }
  }
}
