package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <address bus device>} of a USB hostdev. */
@XmlType(propOrder = {"otherElements"})
public class UsbAddress extends Extensible {
  @XmlAttribute
  private String bus;

  @XmlAttribute
  private String device;

  public String bus() {
    return bus;
  }

  public String device() {
    return device;
  }
}
