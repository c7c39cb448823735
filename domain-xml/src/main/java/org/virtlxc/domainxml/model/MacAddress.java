package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <interface><mac address>}. */
@XmlType(propOrder = {"otherElements"})
public class MacAddress extends Extensible {
  @XmlAttribute
  private String address;

  public String address() {
    return address;
  }
}
