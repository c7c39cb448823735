package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <disk><target dev bus>}. */
@XmlType(propOrder = {"otherElements"})
public class DiskTarget extends Extensible {
  @XmlAttribute
  private String dev;

  @XmlAttribute
  private String bus;

  public String dev() {
    return dev;
  }

  public String bus() {
    return bus;
  }
}
