package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <resource>}: the cgroup partition the domain is placed in. */
@XmlType(propOrder = {"partition", "otherElements"})
public class Resource extends Extensible {
  @XmlElement
  private String partition;

  public String partition() {
    return partition;
  }
}
