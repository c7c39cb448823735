package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <alias name>}. */
@XmlType(propOrder = {"otherElements"})
public class Alias extends Extensible {
  @XmlAttribute
  private String name;

  public String name() {
    return name;
  }
}
