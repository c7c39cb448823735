package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <maxMemory slots='N' unit='KiB'>}. */
@XmlType(propOrder = {})
public class MaxMemory extends ScaledSize {
  @XmlAttribute
  private String slots;

  public String slots() {
    return slots;
  }
}
