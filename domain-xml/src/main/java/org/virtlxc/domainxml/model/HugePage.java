package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <hugepages><page size unit nodeset>}. */
@XmlType(propOrder = {"otherElements"})
public class HugePage extends Extensible {
  @XmlAttribute
  private String size;

  @XmlAttribute
  private String unit;

  @XmlAttribute
  private String nodeset;

  public String size() {
    return size;
  }

  public String unit() {
    return unit;
  }

  public String nodeset() {
    return nodeset;
  }
}
