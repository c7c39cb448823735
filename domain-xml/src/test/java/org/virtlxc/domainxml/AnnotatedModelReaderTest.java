package org.virtlxc.domainxml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.namespace.QName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.DomainStatus;

/**
 * The reader without JAXB (what {@link DomainXml#parseStatus} uses) and JAXB read every test document into the same
 * model: JAXB writes both readings to the same XML, unknown attributes and elements included.
 */
class AnnotatedModelReaderTest {
  /** Domain documents: libvirt's LXC corpus and its expected outputs, plus one with what the model does not know. */
  static Stream<String> domains() {
    List<String> docs = new ArrayList<>();
    Stream.concat(Corpus.files().stream(), Corpus.expectedOutputs().stream()).forEach(p -> docs.add(Corpus.read(p)));
    docs.add(UNKNOWN_PARTS);
    return docs.stream();
  }

  static Stream<Path> statusFiles() throws URISyntaxException {
    return Stream.of(resource("domstatus-booted.xml"), resource("domstatus-ethernet.xml"));
  }

  /** Unknown attributes and elements (namespaced, nested, with text), metadata, comments, CDATA, entities. */
  static final String UNKNOWN_PARTS = """
      <?xml version='1.0'?>
      <!-- a comment -->
      <domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0' extra='1'>
        <name>odd &amp; <![CDATA[ends]]></name>
        <memory unit='MiB' other='x'>64</memory>
        <metadata>
          <app:thing xmlns:app='urn:example:app' app:flag='yes' plain='p'>
            <app:child>text <b>bold</b> tail</app:child>
            <!-- dropped -->
          </app:thing>
        </metadata>
        <os><type>exe</type><init>/sbin/init</init><initarg></initarg><initarg> spaced </initarg></os>
        <futureElement level='3'><inner/></futureElement>
        <devices>
          <console type='pty'><target type='lxc' port='0'/><unknownChild/></console>
          <filesystem type='mount'><source dir='/srv'/><target dir='/'/></filesystem>
          <filesystem type='mount'><source dir='/a'/><target dir='/b'/></filesystem>
        </devices>
        <name>second name wins</name>
        <lxc:namespace><lxc:sharenet type='netns' value='red'/></lxc:namespace>
      </domain>
      """;

  @ParameterizedTest
  @MethodSource("domains")
  void domainReadingsAgree(String xml) throws Exception {
    Domain jaxb = DomainXml.unmarshal(xml, "doc", "domain", Domain.class, new SourceLines());
    Domain ours = DomainXml.readWithoutJaxb(xml, "doc", "domain", Domain.class, new SourceLines());
    assertEquals(DomainXml.format(jaxb), DomainXml.format(ours));
    assertEquals(jaxb.otherAttributes(), ours.otherAttributes());
  }

  @ParameterizedTest
  @MethodSource("statusFiles")
  void statusReadingsAgree(Path file) throws Exception {
    String xml = Corpus.read(file);
    DomainStatus jaxb = DomainXml.unmarshal(xml, "s", "domstatus", DomainStatus.class, new SourceLines());
    DomainStatus ours = DomainXml.parseStatus(file);
    assertEquals(DomainXml.formatStatus(jaxb), DomainXml.formatStatus(ours));
    assertEquals(jaxb.init().pid(), ours.init().pid());
  }

  @Test
  void unknownPartsAreKept() throws Exception {
    Domain d = DomainXml.readWithoutJaxb(UNKNOWN_PARTS, "doc", "domain", Domain.class, new SourceLines());
    assertEquals("second name wins", d.name(), "a repeated element: the last one, as JAXB");
    assertEquals("1", d.otherAttributes().get(new QName("extra")));
    assertEquals("futureElement", d.otherElements().get(0).getLocalName());
    assertEquals("yes", d.metadata().otherElements().get(0).getAttributeNS("urn:example:app", "flag"));
    assertEquals(List.of("", " spaced "), d.os().initargs().stream().map(Object::toString).toList());
    assertEquals("red", d.lxcNamespace().sharenet().value());
    assertEquals(2, d.devices().filesystems().size());
  }

  @Test
  void malformedStatusNamesTheLine() {
    DomainXmlException e = assertThrows(DomainXmlException.class,
        () -> DomainXml.parseStatus("<domstatus state='running'>\n  <init pid='1'>\n</domstatus>", "s.xml"));
    assertEquals(3, e.line(), e.getMessage());
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(AnnotatedModelReaderTest.class.getResource("/" + name).toURI());
  }
}
