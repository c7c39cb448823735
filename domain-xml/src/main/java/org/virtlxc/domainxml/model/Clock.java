package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <clock>}. */
@XmlType(propOrder = {"timers", "otherElements"})
public class Clock extends Extensible {
  @XmlAttribute
  private String offset;

  @XmlAttribute
  private String timezone;

  @XmlAttribute
  private String adjustment;

  @XmlAttribute
  private String basis;

  @XmlElement(name = "timer")
  private List<Timer> timers = new ArrayList<>();

  public String offset() {
    return offset;
  }

  public String timezone() {
    return timezone;
  }

  public String adjustment() {
    return adjustment;
  }

  public String basis() {
    return basis;
  }

  public List<Timer> timers() {
    return Collections.unmodifiableList(timers);
  }
}
