package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <interface><link state='up|down'>}. */
@XmlType(propOrder = {"otherElements"})
public class LinkState extends Extensible {
  @XmlAttribute
  private String state;

  public String state() {
    return state;
  }
}
