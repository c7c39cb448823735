package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <memoryBacking><access mode>}. */
@XmlType(propOrder = {"otherElements"})
public class MemoryAccess extends Extensible {
  @XmlAttribute
  private String mode;

  public String mode() {
    return mode;
  }
}
