package org.virtlxc.domainxml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtlxc.domainxml.model.Domain;

/** Every file of libvirt's LXC corpus is read, written, and says the same thing after the round trip. */
class CorpusRoundTripTest {
  static List<Path> corpus() {
    return Corpus.files();
  }

  @Test
  void corpusIsComplete() {
    // The names libvirt 9.0's tests/lxcxml2xmltest.c runs (CORPUS.md): a lost file must not go unnoticed.
    List<String> names = Corpus.files().stream().map(p -> p.getFileName().toString()).toList();
    assertEquals(List.of("lxc-capabilities.xml", "lxc-disk-formats.xml", "lxc-ethernet-hostip.xml",
        "lxc-ethernet.xml", "lxc-filesystem-ram.xml", "lxc-filesystem-root.xml", "lxc-hostdev.xml",
        "lxc-idmap.xml", "lxc-initdir.xml", "lxc-initenv.xml", "lxc-inituser.xml", "lxc-sharenet.xml",
        "lxc-systemd.xml"), names);
  }

  /** Where libvirt's own output differs from its input, what we write must agree with what libvirt writes. */
  @Test
  void writtenXmlAgreesWithLibvirtsExpectedOutput() throws DomainXmlException {
    for (Path expected : Corpus.expectedOutputs()) {
      String ours = DomainXml.format(DomainXml.parse(Corpus.directory().resolve(expected.getFileName())));
      String libvirts = Corpus.read(expected);
      assertEquals(List.of(), XmlSemantics.unitsNormalised().missing(ours, libvirts), expected.toString());
      assertEquals(List.of(), XmlSemantics.exact().differences(libvirts,
          DomainXml.format(DomainXml.parse(expected))), "libvirt's output round-trips too");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void roundTripKeepsEverything(Path file) throws DomainXmlException {
    String original = Corpus.read(file);
    String written = DomainXml.format(DomainXml.parse(file));
    assertEquals(List.of(), XmlSemantics.exact().differences(original, written), written);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void writingIsStable(Path file) throws DomainXmlException {
    String once = DomainXml.format(DomainXml.parse(file));
    String twice = DomainXml.format(DomainXml.parse(once, "written " + file.getFileName()));
    assertEquals(once, twice);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void modelSeesTheDomain(Path file) throws DomainXmlException {
    Domain d = DomainXml.parse(file);
    assertEquals("lxc", d.type());
    assertTrue(!d.name().isBlank());
    assertTrue(d.memory().kib("KiB") > 0, "memory in KiB");
    assertTrue(d.otherElements().isEmpty(), "every top-level element of the corpus is modelled: " + d.otherElements());
  }
}
