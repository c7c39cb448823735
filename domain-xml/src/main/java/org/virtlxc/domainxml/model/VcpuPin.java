package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <cputune><vcpupin vcpu cpuset>}. */
@XmlType(propOrder = {"otherElements"})
public class VcpuPin extends Extensible {
  @XmlAttribute
  private String vcpu;

  @XmlAttribute
  private String cpuset;

  public String vcpu() {
    return vcpu;
  }

  public String cpuset() {
    return cpuset;
  }
}
