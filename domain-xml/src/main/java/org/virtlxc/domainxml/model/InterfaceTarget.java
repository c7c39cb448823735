package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <interface><target dev>}: the host-side device name. */
@XmlType(propOrder = {"otherElements"})
public class InterfaceTarget extends Extensible {
  @XmlAttribute
  private String dev;

  public String dev() {
    return dev;
  }
}
