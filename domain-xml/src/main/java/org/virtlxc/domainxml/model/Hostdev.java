package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <hostdev mode='capabilities|subsystem' type='storage|misc|net|usb'>}; a net hostdev carries the addresses and routes it gets inside. */
@XmlType(propOrder = {"source", "ips", "routes", "otherElements"})
public class Hostdev extends Extensible {
  @XmlAttribute
  private String mode;

  @XmlAttribute
  private String type;

  @XmlAttribute
  private String managed;

  @XmlElement
  private HostdevSource source;

  @XmlElement(name = "ip")
  private List<InterfaceIp> ips = new ArrayList<>();

  @XmlElement(name = "route")
  private List<InterfaceRoute> routes = new ArrayList<>();

  public String mode() {
    return mode;
  }

  public String type() {
    return type;
  }

  public String managed() {
    return managed;
  }

  public HostdevSource source() {
    return source;
  }

  public List<InterfaceIp> ips() {
    return Collections.unmodifiableList(ips);
  }

  public List<InterfaceRoute> routes() {
    return Collections.unmodifiableList(routes);
  }
}
