package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <interface><bandwidth>}. */
@XmlType(propOrder = {"inbound", "outbound", "otherElements"})
public class Bandwidth extends Extensible {
  @XmlElement
  private BandwidthRate inbound;

  @XmlElement
  private BandwidthRate outbound;

  public BandwidthRate inbound() {
    return inbound;
  }

  public BandwidthRate outbound() {
    return outbound;
  }
}
