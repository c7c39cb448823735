package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;

/** {@code <os><type arch machine>exe</type>}. */
@XmlType(propOrder = {"value"})
public class OsType extends Attributed {
  @XmlAttribute
  private String arch;

  @XmlAttribute
  private String machine;

  @XmlValue
  private String value;

  public String arch() {
    return arch;
  }

  public String machine() {
    return machine;
  }

  /** The element's text as written (trimmed), or "" when empty. */
  public String value() {
    return value == null ? "" : value.trim();
  }
}
