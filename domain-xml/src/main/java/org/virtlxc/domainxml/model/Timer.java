package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <clock><timer>}. */
@XmlType(propOrder = {"otherElements"})
public class Timer extends Extensible {
  @XmlAttribute
  private String name;

  @XmlAttribute
  private String present;

  @XmlAttribute
  private String tickpolicy;

  @XmlAttribute
  private String track;

  @XmlAttribute
  private String frequency;

  @XmlAttribute
  private String mode;

  public String name() {
    return name;
  }

  public String present() {
    return present;
  }

  public String tickpolicy() {
    return tickpolicy;
  }

  public String track() {
    return track;
  }

  public String frequency() {
    return frequency;
  }

  public String mode() {
    return mode;
  }
}
