package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <disk><source file|dev|dir>}. */
@XmlType(propOrder = {"otherElements"})
public class DiskSource extends Extensible {
  @XmlAttribute
  private String file;

  @XmlAttribute
  private String dev;

  @XmlAttribute
  private String dir;

  public String file() {
    return file;
  }

  public String dev() {
    return dev;
  }

  public String dir() {
    return dir;
  }
}
