package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <interface><ip address family prefix peer>}. */
@XmlType(propOrder = {"otherElements"})
public class InterfaceIp extends Extensible {
  @XmlAttribute
  private String address;

  @XmlAttribute
  private String family;

  @XmlAttribute
  private String prefix;

  @XmlAttribute
  private String peer;

  public String address() {
    return address;
  }

  public String family() {
    return family;
  }

  public String prefix() {
    return prefix;
  }

  public String peer() {
    return peer;
  }
}
