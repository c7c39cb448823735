package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <disk>}. */
@XmlType(propOrder = {"driver", "source", "target", "readonly", "shareable", "otherElements"})
public class Disk extends Extensible {
  @XmlAttribute
  private String type;

  @XmlAttribute
  private String device;

  @XmlElement
  private DiskDriver driver;

  @XmlElement
  private DiskSource source;

  @XmlElement
  private DiskTarget target;

  @XmlElement
  private Marker readonly;

  @XmlElement
  private Marker shareable;

  public String type() {
    return type;
  }

  public String device() {
    return device;
  }

  public DiskDriver driver() {
    return driver;
  }

  public DiskSource source() {
    return source;
  }

  public DiskTarget target() {
    return target;
  }

  public Marker readonly() {
    return readonly;
  }

  public Marker shareable() {
    return shareable;
  }
}
