package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <seclabel type model relabel>}. */
@XmlType(propOrder = {"label", "imagelabel", "baselabel", "otherElements"})
public class SecLabel extends Extensible {
  @XmlAttribute
  private String type;

  @XmlAttribute
  private String model;

  @XmlAttribute
  private String relabel;

  @XmlElement
  private String label;

  @XmlElement
  private String imagelabel;

  @XmlElement
  private String baselabel;

  public String type() {
    return type;
  }

  public String model() {
    return model;
  }

  public String relabel() {
    return relabel;
  }

  public String label() {
    return label;
  }

  public String imagelabel() {
    return imagelabel;
  }

  public String baselabel() {
    return baselabel;
  }
}
