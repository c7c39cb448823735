package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <console>} or {@code <serial>} of type pty. */
@XmlType(propOrder = {"source", "target", "alias", "otherElements"})
public class CharDevice extends Extensible {
  @XmlAttribute
  private String type;

  @XmlAttribute
  private String tty;

  @XmlElement
  private CharSource source;

  @XmlElement
  private CharTarget target;

  @XmlElement
  private Alias alias;

  public String type() {
    return type;
  }

  public String tty() {
    return tty;
  }

  public CharSource source() {
    return source;
  }

  public CharTarget target() {
    return target;
  }

  public Alias alias() {
    return alias;
  }
}
