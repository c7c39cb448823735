package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.virtlxc.domainxml.Corpus;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.XmlSemantics;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

/**
 * What the model writes, a real libvirtd accepts: each document of libvirt's LXC corpus is read and
 * written by the model, defined with stock {@code virsh define}, and libvirt's {@code dumpxml} (read
 * through libvirt-java) must say everything we wrote. Domains are named {@code vlxct-xml-*} and
 * undefined afterwards, also when a test fails.
 */
class LibvirtAcceptsModelIT {
  private static final String PREFIX = "vlxct-xml-";

  static List<Path> corpus() {
    return Corpus.files();
  }

  @BeforeAll
  @AfterAll
  static void removeTestDomains() {
    for (String name : Virsh.allDomainNames()) {
      if (name.startsWith(PREFIX)) {
        Virsh.destroyAndUndefine(name);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void libvirtDefinesWhatTheModelWrites(Path file, @TempDir Path tmp) throws Exception {
    String name = PREFIX + file.getFileName().toString().replaceAll("^lxc-|\\.xml$", "");
    String written = DomainXml.format(DomainXml.parse(asTestDomain(Corpus.read(file), name), file.toString()));
    Path xml = Files.writeString(tmp.resolve(name + ".xml"), written);
    try {
      Virsh.run("define", xml.toString()).ok();
      Connect libvirt = new Connect(Virsh.URI);
      try {
        Domain domain = libvirt.domainLookupByName(name);
        String dumped = domain.getXMLDesc(0);
        assertEquals(List.of(), XmlSemantics.unitsNormalised().missing(written, dumped),
            "libvirt's dumpxml lacks what the model wrote:\n" + dumped);
      } finally {
        libvirt.close();
      }
    } finally {
      Virsh.run("undefine", name);
    }
  }

  /** The corpus document under a test name, without its uuid (several corpus files share one). */
  private static String asTestDomain(String xml, String name) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    Element root = doc.getDocumentElement();
    root.getElementsByTagName("name").item(0).setTextContent(name);
    Element uuid = (Element) root.getElementsByTagName("uuid").item(0);
    if (uuid != null) {
      root.removeChild(uuid);
    }
    StringWriter out = new StringWriter();
    TransformerFactory.newInstance().newTransformer().transform(new DOMSource(doc), new StreamResult(out));
    return out.toString();
  }
}
