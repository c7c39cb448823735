package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <idmap><uid|gid start target count>}. */
@XmlType(propOrder = {"otherElements"})
public class IdRange extends Extensible {
  @XmlAttribute
  private String start;

  @XmlAttribute
  private String target;

  @XmlAttribute
  private String count;

  public String start() {
    return start;
  }

  public String target() {
    return target;
  }

  public String count() {
    return count;
  }
}
