package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <filesystem><target dir>}. */
@XmlType(propOrder = {"otherElements"})
public class FsTarget extends Extensible {
  @XmlAttribute
  private String dir;

  public String dir() {
    return dir;
  }
}
