package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <cputune><emulatorpin cpuset>}. */
@XmlType(propOrder = {"otherElements"})
public class EmulatorPin extends Extensible {
  @XmlAttribute
  private String cpuset;

  public String cpuset() {
    return cpuset;
  }
}
