package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <interface><route family address netmask prefix gateway metric>}. */
@XmlType(propOrder = {"otherElements"})
public class InterfaceRoute extends Extensible {
  @XmlAttribute
  private String family;

  @XmlAttribute
  private String address;

  @XmlAttribute
  private String netmask;

  @XmlAttribute
  private String prefix;

  @XmlAttribute
  private String gateway;

  @XmlAttribute
  private String metric;

  public String family() {
    return family;
  }

  public String address() {
    return address;
  }

  public String netmask() {
    return netmask;
  }

  public String prefix() {
    return prefix;
  }

  public String gateway() {
    return gateway;
  }

  public String metric() {
    return metric;
  }
}
