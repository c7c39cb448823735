package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <memoryBacking><allocation mode threads>}. */
@XmlType(propOrder = {"otherElements"})
public class MemoryAllocation extends Extensible {
  @XmlAttribute
  private String mode;

  @XmlAttribute
  private String threads;

  public String mode() {
    return mode;
  }

  public String threads() {
    return threads;
  }
}
