package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <console><target type port>}. */
@XmlType(propOrder = {"otherElements"})
public class CharTarget extends Extensible {
  @XmlAttribute
  private String type;

  @XmlAttribute
  private String port;

  public String type() {
    return type;
  }

  public String port() {
    return port;
  }
}
