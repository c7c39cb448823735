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

/**
 * The libvirt calls the {@code virt-lxc} verbs make, each failing with virsh's two error lines: what failed, then
 * libvirt's reason.
 */
final class LibvirtConnection {
  /** virsh's default for the commands of this tool. */
  static final String DEFAULT_URI = "lxc:///";
  private static final int XML_SECURE = 1; // VIR_DOMAIN_XML_SECURE
  private static final int XML_INACTIVE = 2; // VIR_DOMAIN_XML_INACTIVE

  private LibvirtConnection() {}

  /**
   * Connects to {@code uri}. libvirt's default error handler, which prints every error to stderr (even a lookup the
   * command expects to fail), is replaced first: the command prints its errors itself, virsh style.
   */
  static Connect open(String uri) throws CommandException {
    try {
      Connect.setErrorCallback((userData, error) -> { });
      return new Connect(uri == null ? DEFAULT_URI : uri);
    } catch (LibvirtException e) {
      throw new CommandException("failed to connect to the hypervisor", message(e));
    }
  }

  static Domain domain(Connect conn, String name) throws CommandException {
    try {
      return conn.domainLookupByName(name);
    } catch (LibvirtException e) {
      throw new CommandException("failed to get domain '" + name + "'", message(e));
    }
  }

  static boolean isActive(Domain domain, String name) throws CommandException {
    try {
      return domain.isActive() == 1;
    } catch (LibvirtException e) {
      throw new CommandException("failed to get the state of domain '" + name + "'", message(e));
    }
  }

  /** The persistent definition (what the next start uses), as {@code virsh dumpxml --inactive --security-info}. */
  static String inactiveXml(Domain domain, String name) throws CommandException {
    try {
      return domain.getXMLDesc(XML_SECURE | XML_INACTIVE);
    } catch (LibvirtException e) {
      throw new CommandException("failed to get the XML of domain '" + name + "'", message(e));
    }
  }

  static void define(Connect conn, String xml, String what) throws CommandException {
    try {
      conn.domainDefineXML(xml);
    } catch (LibvirtException e) {
      throw new CommandException("Failed to define domain from " + what, message(e));
    }
  }

  /** libvirt's default emulator for {@code <os><type>exe</type>} on this host, from the capabilities XML. */
  static String defaultEmulator(Connect conn) throws CommandException {
    String caps;
    try {
      caps = conn.getCapabilities();
    } catch (LibvirtException e) {
      throw new CommandException("failed to get the capabilities", message(e));
    }
    String path;
    try {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new InputSource(new StringReader(caps)));
      path = (String) XPathFactory.newInstance().newXPath()
          .evaluate("/capabilities/guest[os_type='exe']/arch/emulator[1]", doc, XPathConstants.STRING);
    } catch (Exception e) {
      throw new CommandException("failed to read the capabilities", e.toString());
    }
    if (path == null || path.isBlank()) {
      throw new CommandException("libvirt names no emulator for <os><type>exe</type> in its capabilities", null);
    }
    return path.strip();
  }

  static void close(Connect conn) {
    try {
      conn.close();
    } catch (LibvirtException e) {
      // the command's outcome is already decided
    }
  }

  static String message(LibvirtException e) {
    return e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage() : e.getMessage();
  }
}
