package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <filesystem><source dir|file|dev|name|usage units>}. */
@XmlType(propOrder = {"otherElements"})
public class FsSource extends Extensible {
  @XmlAttribute
  private String dir;

  @XmlAttribute
  private String file;

  @XmlAttribute
  private String dev;

  @XmlAttribute
  private String name;

  @XmlAttribute
  private String usage;

  @XmlAttribute
  private String units;

  public String dir() {
    return dir;
  }

  public String file() {
    return file;
  }

  public String dev() {
    return dev;
  }

  public String name() {
    return name;
  }

  public String usage() {
    return usage;
  }

  public String units() {
    return units;
  }
}
