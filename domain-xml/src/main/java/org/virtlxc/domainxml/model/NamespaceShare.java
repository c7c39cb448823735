package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <lxc:sharenet|shareipc|shareuts type='netns|name|pid' value>}. */
@XmlType(propOrder = {"otherElements"})
public class NamespaceShare extends Extensible {
  @XmlAttribute
  private String type;

  @XmlAttribute
  private String value;

  public String type() {
    return type;
  }

  public String value() {
    return value;
  }
}
