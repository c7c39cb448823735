package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <lxc:namespace>}: namespaces shared with another domain, process or netns. */
@XmlType(propOrder = {"sharenet", "shareipc", "shareuts", "otherElements"})
public class LxcNamespace extends Extensible {
  @XmlElement(namespace = LxcNamespace.NS)
  private NamespaceShare sharenet;

  @XmlElement(namespace = LxcNamespace.NS)
  private NamespaceShare shareipc;

  @XmlElement(namespace = LxcNamespace.NS)
  private NamespaceShare shareuts;

  public NamespaceShare sharenet() {
    return sharenet;
  }

  public NamespaceShare shareipc() {
    return shareipc;
  }

  public NamespaceShare shareuts() {
    return shareuts;
  }

  /** The XML namespace of libvirt's LXC extension elements. */
  public static final String NS = "http://libvirt.org/schemas/domain/lxc/1.0";
}
