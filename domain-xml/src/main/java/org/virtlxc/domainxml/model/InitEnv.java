package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;

/** {@code <os><initenv name='N'>value</initenv>}. */
@XmlType(propOrder = {"value"})
public class InitEnv extends Attributed {
  @XmlAttribute
  private String name;

  @XmlValue
  private String value;

  public String name() {
    return name;
  }

  /** The element's text as written (trimmed), or "" when empty. */
  public String value() {
    return value == null ? "" : value.trim();
  }
}
