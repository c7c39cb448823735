package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;

/** {@code <vcpu placement cpuset current>N</vcpu>}. */
@XmlType(propOrder = {"count"})
public class Vcpu extends Attributed {
  @XmlAttribute
  private String placement;

  @XmlAttribute
  private String cpuset;

  @XmlAttribute
  private String current;

  @XmlValue
  private String count;

  public String placement() {
    return placement;
  }

  public String cpuset() {
    return cpuset;
  }

  public String current() {
    return current;
  }

  /** The element's text as written (trimmed), or "" when empty. */
  public String count() {
    return count == null ? "" : count.trim();
  }
}
