package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.domainxml.Corpus;
import org.virtlxc.domainxml.XmlSemantics;

/** {@code virt-lxc domxml-check}: the written XML and status 0, or one error line and status 1. */
class DomxmlCheckTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
  }

  @Test
  void printsTheWrittenXml(@TempDir Path dir) throws Exception {
    // The corpus may sit inside a jar: hand the command a real file, as a user would.
    String original = Corpus.read(Corpus.directory().resolve("lxc-idmap.xml"));
    Path file = Files.writeString(dir.resolve("lxc-idmap.xml"), original);
    assertEquals(0, run("domxml-check", file.toString()));
    assertEquals("", err.toString());
    assertEquals(List.of(), XmlSemantics.exact().differences(original, out.toString()));
  }

  @Test
  void badFileGivesOneClearLineAndStatusOne(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.xml");
    Files.writeString(file, "<domain type='lxc'>\n  <name>x</name>\n  <memory unit='Mb2'>1</memory>\n</domain>\n");
    assertEquals(1, run("domxml-check", file.toString()));
    assertEquals("", out.toString());
    assertEquals("error: " + file + ":3: element <memory>, attribute 'unit': unknown unit 'Mb2'\n",
        err.toString());
  }

  @Test
  void missingArgumentIsAUsageError() {
    assertEquals(2, run("domxml-check"));
    assertTrue(err.toString().contains("Missing required parameter: 'FILE'"), err.toString());
  }

  @Test
  void bareCommandPrintsUsage() {
    assertEquals(0, run());
    assertTrue(err.toString().contains("domxml-check"), err.toString());
  }
}
