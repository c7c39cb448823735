package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code virt-lxc define} refuses before it talks to libvirt (the URI names no reachable libvirtd). */
class DefineCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return VirtLxc.create(new PrintWriter(out), new PrintWriter(err)).execute(args);
  }

  @Test
  void invalidXmlNamesFileLineAndElement(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("bad.xml"),
        "<domain type='lxc'>\n  <name>x</name>\n  <memory unit='Mb2'>1</memory>\n</domain>\n");
    assertEquals(1, run("-c", "test:///nowhere", "define", file.toString(), "--emulator", "/bin/true"));
    assertEquals("error: " + file + ":3: element <memory>, attribute 'unit': unknown unit 'Mb2'", err.toString().strip());
    assertEquals("", out.toString());
  }

  @Test
  void emulatorThatIsNotAnExecutableIsRefused(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("ok.xml"), "<domain type='lxc'><name>x</name><memory>1024</memory>"
        + "<os><type>exe</type><init>/bin/sh</init></os></domain>");
    assertEquals(1, run("define", file.toString(), "--emulator", tmp.resolve("missing").toString()));
    assertTrue(err.toString().startsWith("error: emulator " + tmp.resolve("missing") + ": no such file"), err.toString());
  }

  @Test
  void missingFileIsAUsageError() {
    assertEquals(2, run("define"));
    assertTrue(err.toString().contains("Missing required parameter: 'FILE'"), err.toString());
  }
}
