package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <numatune><memnode cellid mode nodeset>}. */
@XmlType(propOrder = {"otherElements"})
public class NumaMemNode extends Extensible {
  @XmlAttribute
  private String cellid;

  @XmlAttribute
  private String mode;

  @XmlAttribute
  private String nodeset;

  public String cellid() {
    return cellid;
  }

  public String mode() {
    return mode;
  }

  public String nodeset() {
    return nodeset;
  }
}
