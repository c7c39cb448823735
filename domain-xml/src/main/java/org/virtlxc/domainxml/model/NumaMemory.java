package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <numatune><memory mode nodeset placement>}. */
@XmlType(propOrder = {"otherElements"})
public class NumaMemory extends Extensible {
  @XmlAttribute
  private String mode;

  @XmlAttribute
  private String nodeset;

  @XmlAttribute
  private String placement;

  public String mode() {
    return mode;
  }

  public String nodeset() {
    return nodeset;
  }

  public String placement() {
    return placement;
  }
}
