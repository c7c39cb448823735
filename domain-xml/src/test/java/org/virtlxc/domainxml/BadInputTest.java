package org.virtlxc.domainxml;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per class of bad input: each fails with one error naming the line, element and attribute. */
class BadInputTest {
  /** A valid domain; each test breaks one thing in it. Line numbers below refer to this text. */
  private static final String GOOD = """
      <domain type='lxc'>
        <name>vlxct-bad</name>
        <memory unit='MiB'>64</memory>
        <memtune>
          <hard_limit unit='KiB'>65536</hard_limit>
        </memtune>
        <vcpu>1</vcpu>
        <os>
          <type>exe</type>
          <init>/bin/sh</init>
        </os>
        <devices>
          <filesystem type='mount'>
            <source dir='/srv/root'/>
            <target dir='/'/>
          </filesystem>
          <filesystem type='ram'>
            <source usage='1024' units='KiB'/>
            <target dir='/tmp'/>
          </filesystem>
          <disk type='block' device='disk'>
            <source dev='/dev/loop0'/>
            <target dev='sda'/>
          </disk>
          <console type='pty'/>
        </devices>
      </domain>
      """;

  private static DomainXmlException fails(String xml) {
    return assertThrows(DomainXmlException.class, () -> DomainXml.parse(xml, "bad.xml"));
  }

  private static void assertError(DomainXmlException e, int line, String element, String attribute, String text) {
    assertAll(e.getMessage(),
        () -> assertEquals("bad.xml", e.source()),
        () -> assertEquals(line, e.line(), "line"),
        () -> assertEquals(element, e.element(), "element"),
        () -> assertEquals(attribute, e.attribute(), "attribute"),
        () -> assertTrue(e.problem().contains(text), "problem: " + e.problem()),
        () -> assertTrue(e.getMessage().startsWith("bad.xml:" + line + ": "), "message: " + e.getMessage()));
  }

  @Test
  void goodDocumentParses() throws DomainXmlException {
    assertEquals("vlxct-bad", DomainXml.parse(GOOD, "good.xml").name());
  }

  @Test
  void malformedXml() {
    DomainXmlException e = fails(GOOD.replace("</memtune>", "</memtun>"));
    assertEquals(6, e.line());
    assertTrue(e.problem().startsWith("malformed XML: "), e.problem());
    assertTrue(e.problem().contains("memtune"), e.problem());
  }

  @Test
  void emptyDocument() {
    DomainXmlException e = fails("");
    assertTrue(e.problem().startsWith("malformed XML") || e.problem().contains("no root element"), e.problem());
  }

  @Test
  void wrongRoot() {
    assertError(fails("<!-- a network -->\n<network><name>x</name></network>"), 2, "network", null,
        "wrong root element; expected <domain>");
  }

  @Test
  void missingName() {
    assertError(fails(GOOD.replace("  <name>vlxct-bad</name>\n", "")), 1, "domain", null, "missing domain name");
  }

  @Test
  void emptyName() {
    assertError(fails(GOOD.replace("<name>vlxct-bad</name>", "<name> </name>")), 2, "name", null,
        "missing domain name");
  }

  @Test
  void unknownUnit() {
    assertError(fails(GOOD.replace("unit='MiB'", "unit='MiBB'")), 3, "memory", "unit", "unknown unit 'MiBB'");
  }

  @Test
  void unknownUnitOfRamFilesystem() {
    assertError(fails(GOOD.replace("units='KiB'", "units='KB2'")), 18, "source", "units", "unknown unit 'KB2'");
  }

  @Test
  void negativeSize() {
    assertError(fails(GOOD.replace("65536</hard_limit>", "-1</hard_limit>")), 5, "hard_limit", null, "negative");
  }

  @Test
  void overflowingSize() {
    // 2^63 KiB is far beyond LLONG_MAX bytes, the largest size libvirt takes.
    assertError(fails(GOOD.replace(">64</memory>", ">9223372036854775808</memory>")), 3, "memory", null,
        "larger than the maximum");
  }

  @Test
  void sizeThatOverflowsOnlyOnceScaled() {
    assertError(fails(GOOD.replace("<memory unit='MiB'>64", "<memory unit='EiB'>8")), 3, "memory", null,
        "larger than the maximum");
  }

  @Test
  void sizeThatIsNotANumber() {
    assertError(fails(GOOD.replace(">64</memory>", ">lots</memory>")), 3, "memory", null,
        "not a non-negative integer");
  }

  @Test
  void nonLxcDomainType() {
    assertError(fails(GOOD.replace("type='lxc'", "type='kvm'")), 1, "domain", "type", "'kvm' is not an LXC domain");
  }

  @Test
  void missingDomainType() {
    assertError(fails(GOOD.replace(" type='lxc'", "")), 1, "domain", "type", "missing domain type");
  }

  @Test
  void duplicateHostdev() {
    String hostdev = "    <hostdev mode='capabilities' type='misc'>\n      <source>\n        <char>/dev/tty0</char>\n"
        + "      </source>\n    </hostdev>\n";
    assertError(fails(GOOD.replace("    <console type='pty'/>", hostdev + hostdev + "    <console type='pty'/>")), 31,
        "source", null, "host device '/dev/tty0' is assigned twice");
  }

  @Test
  void duplicatesLibvirtAcceptsAreAccepted() throws DomainXmlException {
    String twoRoots = GOOD.replace("<target dir='/tmp'/>", "<target dir='/'/>");
    assertEquals(2, DomainXml.parse(twoRoots, "ok.xml").devices().filesystems().size());
  }

  @Test
  void duplicateDiskTarget() {
    String twoDisks = GOOD.replace("    <console type='pty'/>",
        "    <disk type='block' device='disk'>\n      <source dev='/dev/loop1'/>\n"
            + "      <target dev='sda'/>\n    </disk>\n    <console type='pty'/>");
    assertError(fails(twoDisks), 27, "target", "dev", "disk target 'sda' is used twice");
  }

  @Test
  void badVcpuCount() {
    assertError(fails(GOOD.replace("<vcpu>1</vcpu>", "<vcpu>0</vcpu>")), 7, "vcpu", null, "positive integer");
  }

  @Test
  void externalEntitiesAreRefused() {
    String xxe = "<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n"
        + GOOD.replace("vlxct-bad", "&x;");
    DomainXmlException e = fails(xxe);
    assertTrue(e.getMessage().startsWith("bad.xml:"), e.getMessage());
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path file = dir.resolve("absent.xml");
    DomainXmlException e = assertThrows(DomainXmlException.class, () -> DomainXml.parse(file));
    assertEquals(file + ": no such file", e.getMessage());
  }

  @Test
  void fileNameIsTheSource(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("demo.xml");
    Files.writeString(file, GOOD.replace("type='lxc'", "type='qemu'"));
    DomainXmlException e = assertThrows(DomainXmlException.class, () -> DomainXml.parse(file));
    assertTrue(e.getMessage().startsWith(file + ":1: element <domain>, attribute 'type': "), e.getMessage());
  }
}
