package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <bandwidth><inbound|outbound average peak burst floor>}. */
@XmlType(propOrder = {"otherElements"})
public class BandwidthRate extends Extensible {
  @XmlAttribute
  private String average;

  @XmlAttribute
  private String peak;

  @XmlAttribute
  private String burst;

  @XmlAttribute
  private String floor;

  public String average() {
    return average;
  }

  public String peak() {
    return peak;
  }

  public String burst() {
    return burst;
  }

  public String floor() {
    return floor;
  }
}
