package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command's start adds only the verb it runs; usage, help and errors stay as with every verb. */
class VerbSelectionTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private CommandLine forArgs(String... args) {
    return VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true), VirtLxc.verbOf(args));
  }

  @Test
  void theVerbIsTheFirstArgumentThatIsNeitherAnOptionNorTheUri() {
    assertEquals("save", VirtLxc.verbOf("save", "web", "f"));
    assertEquals("restore", VirtLxc.verbOf("-c", "lxc:///", "restore", "f"));
    assertEquals("restore", VirtLxc.verbOf("--connect", "lxc:///", "restore", "f"));
    assertEquals("restore", VirtLxc.verbOf("--connect=lxc:///", "restore", "f"));
    assertEquals("migrate", VirtLxc.verbOf("-c", "migrate", "migrate", "web", "x"), "a URI is not the verb");
    assertNull(VirtLxc.verbOf("--version"));
    assertNull(VirtLxc.verbOf());
  }

  @Test
  void aKnownVerbIsTheOnlyOneAdded() {
    assertEquals(Set.of("restore"), forArgs("-c", "lxc:///", "restore", "f").getSubcommands().keySet());
  }

  @Test
  void withoutAVerbOrWithHelpOrAnUnknownOneEveryVerbIsThere() {
    Set<String> all = VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true)).getSubcommands()
        .keySet();
    assertTrue(all.containsAll(Set.of("save", "restore", "managedsave", "migrate", "help")), all.toString());
    assertEquals(all, forArgs().getSubcommands().keySet());
    assertEquals(all, forArgs("help", "save").getSubcommands().keySet());
    assertEquals(all, forArgs("sav", "web", "f").getSubcommands().keySet());
  }

  @Test
  void oneVerbParsesAndPrintsItsHelpAsWithAll() {
    assertEquals(0, forArgs("save", "--help").execute("save", "--help"));
    String alone = out.toString();
    out.getBuffer().setLength(0);
    assertEquals(0, VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true)).execute("save", "--help"));
    assertEquals(out.toString(), alone);
    assertTrue(alone.startsWith("Usage: virt-lxc save "), alone);
  }

  @Test
  void anUnknownVerbIsStillAUsageErrorWithASuggestion() {
    assertEquals(2, forArgs("sav", "web", "f").execute("sav", "web", "f"));
    assertTrue(err.toString().contains("Unmatched arguments from index 0: 'sav'"), err.toString());
    assertTrue(err.toString().contains("save"), err.toString());
  }
}
