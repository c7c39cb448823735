package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <memoryBacking><source type>}. */
@XmlType(propOrder = {"otherElements"})
public class MemorySource extends Extensible {
  @XmlAttribute
  private String type;

  public String type() {
    return type;
  }
}
