package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <features>}: for LXC, {@code <privnet/>} and the capability policy. */
@XmlType(propOrder = {"privnet", "capabilities", "otherElements"})
public class Features extends Extensible {
  @XmlElement
  private Marker privnet;

  @XmlElement
  private Capabilities capabilities;

  public Marker privnet() {
    return privnet;
  }

  public Capabilities capabilities() {
    return capabilities;
  }
}
