package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <domstatus><taint flag>}. */
@XmlType(propOrder = {"otherElements"})
public class Taint extends Extensible {
  @XmlAttribute
  private String flag;

  public String flag() {
    return flag;
  }
}
