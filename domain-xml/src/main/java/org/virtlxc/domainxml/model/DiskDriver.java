package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <disk><driver name type>}. */
@XmlType(propOrder = {"otherElements"})
public class DiskDriver extends Extensible {
  @XmlAttribute
  private String name;

  @XmlAttribute
  private String type;

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }
}
