package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <vendor id>} or {@code <product id>} of a USB hostdev. */
@XmlType(propOrder = {"otherElements"})
public class UsbId extends Extensible {
  @XmlAttribute
  private String id;

  public String id() {
    return id;
  }
}
