package org.virtlxc.cli;

import java.io.StringReader;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/** One libvirt connection for one command: the few calls the {@code virt-lxc} verbs need, with virsh-like errors. */
final class Libvirt implements AutoCloseable {
  private static final int XML_SECURE = 1; // VIR_DOMAIN_XML_SECURE
  private static final int XML_INACTIVE = 2; // VIR_DOMAIN_XML_INACTIVE
  /** Swallows libvirt's default stderr report: each failure is reported once, as virt-lxc's own error line. */
  private static final org.libvirt.jna.Libvirt.VirErrorCallback QUIET = (userData, error) -> { };

  private final Connect connect;
  private final String uri;

  private Libvirt(Connect connect, String uri) {
    this.connect = connect;
    this.uri = uri;
  }

  static Libvirt open(String uri) {
    try {
      Connect.setErrorCallback(QUIET);
      return new Libvirt(new Connect(uri), uri);
    } catch (LibvirtException e) {
      throw new CliFailure("failed to connect to the hypervisor " + uri + ": " + e.getMessage(), e);
    }
  }

  Domain lookup(String name) {
    try {
      return connect.domainLookupByName(name);
    } catch (LibvirtException e) {
      throw new CliFailure("failed to get domain '" + name + "': " + e.getMessage(), e);
    }
  }

  boolean isActive(Domain domain, String name) {
    try {
      return domain.isActive() == 1;
    } catch (LibvirtException e) {
      throw new CliFailure("unable to get the state of domain '" + name + "': " + e.getMessage(), e);
    }
  }

  /** The persistent definition (what the next start uses), as {@code virsh dumpxml --inactive --security-info}. */
  String inactiveXml(Domain domain, String name) {
    try {
      return domain.getXMLDesc(XML_SECURE | XML_INACTIVE);
    } catch (LibvirtException e) {
      throw new CliFailure("unable to get the XML of domain '" + name + "': " + e.getMessage(), e);
    }
  }

  Domain define(String xml, String what) {
    try {
      return connect.domainDefineXML(xml);
    } catch (LibvirtException e) {
      throw new CliFailure("failed to define domain from " + what + ": " + e.getMessage(), e);
    }
  }

  /** libvirt's default emulator for {@code <os><type>exe</type>} on this host, from the capabilities XML. */
  String defaultEmulator() {
    try {
      Document caps = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new InputSource(new StringReader(connect.getCapabilities())));
      String path = (String) XPathFactory.newInstance().newXPath()
          .evaluate("/capabilities/guest[os_type='exe']/arch/emulator[1]", caps, XPathConstants.STRING);
      if (path == null || path.isBlank()) {
        throw new CliFailure("libvirt at " + uri + " names no emulator for <os><type>exe</type> in its capabilities");
      }
      return path.strip();
    } catch (LibvirtException e) {
      throw new CliFailure("unable to read the capabilities of " + uri + ": " + e.getMessage(), e);
    } catch (CliFailure e) {
      throw e;
    } catch (Exception e) {
      throw new CliFailure("unable to read the capabilities of " + uri + ": " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      connect.close();
    } catch (LibvirtException e) {
      // nothing left to do with a connection that failed to close; the process exits next
    }
  }
}
