package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <console><source path>}: in status XML, the host pty. */
@XmlType(propOrder = {"otherElements"})
public class CharSource extends Extensible {
  @XmlAttribute
  private String path;

  public String path() {
    return path;
  }
}
