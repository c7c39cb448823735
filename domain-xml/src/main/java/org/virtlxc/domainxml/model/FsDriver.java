package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <filesystem><driver type format wrpolicy>}. */
@XmlType(propOrder = {"otherElements"})
public class FsDriver extends Extensible {
  @XmlAttribute
  private String type;

  @XmlAttribute
  private String format;

  @XmlAttribute
  private String wrpolicy;

  public String type() {
    return type;
  }

  public String format() {
    return format;
  }

  public String wrpolicy() {
    return wrpolicy;
  }
}
