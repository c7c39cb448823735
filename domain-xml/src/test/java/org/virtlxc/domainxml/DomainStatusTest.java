package org.virtlxc.domainxml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtlxc.domainxml.model.DomainStatus;
import org.virtlxc.domainxml.model.NetInterface;

/** Status files copied from /run/libvirt/lxc on a libvirtd 9.0 running libvirt_lxc containers. */
class DomainStatusTest {
  private static Path resource(String name) throws URISyntaxException {
    return Path.of(DomainStatusTest.class.getResource("/" + name).toURI());
  }

  @Test
  void bootedDomain() throws Exception {
    DomainStatus status = DomainXml.parseStatus(resource("domstatus-booted.xml"));
    assertEquals("running", status.state());
    assertEquals("booted", status.reason());
    assertEquals("10456", status.pid());
    assertEquals("10457", status.init().pid());
    assertEquals("10456", status.domain().id());
    assertEquals("virt-lxc-demo", status.domain().name());
    assertEquals("/dev/pts/0", status.domain().devices().consoles().get(0).source().path());
    assertEquals("console0", status.domain().devices().consoles().get(0).alias().name());
    assertEquals(65536, status.domain().memory().kib("KiB"));
  }

  @Test
  void interfacesAndNamespaces() throws Exception {
    DomainStatus status = DomainXml.parseStatus(resource("domstatus-ethernet.xml"));
    NetInterface nic = status.domain().devices().interfaces().get(0);
    assertEquals("vlxct-st0", nic.target().dev());
    assertEquals("eth0", nic.guest().dev());
    assertNull(nic.guest().actual(), "libvirtd 9.0 does not write actual= in the status file");
    assertEquals("52:54:00:12:34:56", nic.mac().address());
    assertEquals("10.254.7.2", nic.ips().get(0).address());
    assertEquals("name", status.domain().lxcNamespace().shareuts().type());
    assertEquals("virt-lxc-demo", status.domain().lxcNamespace().shareuts().value());
    assertEquals("GREETING", status.domain().os().initenvs().get(0).name());
    assertEquals("hello", status.domain().os().initenvs().get(0).value());
  }

  @Test
  void statusFilesRoundTrip() throws Exception {
    for (String name : List.of("domstatus-booted.xml", "domstatus-ethernet.xml")) {
      Path file = resource(name);
      String written = DomainXml.formatStatus(DomainXml.parseStatus(file));
      assertEquals(List.of(), XmlSemantics.exact().differences(Corpus.read(file), written), name);
    }
  }

  @Test
  void aDomainIsNotAStatusFile() {
    DomainXmlException e = assertThrows(DomainXmlException.class,
        () -> DomainXml.parseStatus("<domain type='lxc'><name>x</name></domain>", "x.xml"));
    assertEquals("x.xml:1: element <domain>: wrong root element; expected <domstatus>", e.getMessage());
  }

  @Test
  void statusWithoutDomain() {
    DomainXmlException e = assertThrows(DomainXmlException.class,
        () -> DomainXml.parseStatus("<domstatus state='running'>\n  <init pid='1'/>\n</domstatus>", "s.xml"));
    assertTrue(e.getMessage().startsWith("s.xml:1: element <domstatus>: missing <domain>"), e.getMessage());
  }
}
