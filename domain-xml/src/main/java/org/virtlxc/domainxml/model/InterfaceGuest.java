package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <interface><guest dev actual>}: the container-side name, and (in status XML) the veth libvirtd made. */
@XmlType(propOrder = {"otherElements"})
public class InterfaceGuest extends Extensible {
  @XmlAttribute
  private String dev;

  @XmlAttribute
  private String actual;

  public String dev() {
    return dev;
  }

  public String actual() {
    return actual;
  }
}
