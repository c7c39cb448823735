package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <interface><source network|bridge|dev mode>}; for type ethernet, the host-side addresses and routes. */
@XmlType(propOrder = {"ips", "routes", "otherElements"})
public class InterfaceSource extends Extensible {
  @XmlAttribute
  private String network;

  @XmlAttribute
  private String bridge;

  @XmlAttribute
  private String dev;

  @XmlAttribute
  private String mode;

  @XmlAttribute
  private String portgroup;

  @XmlElement(name = "ip")
  private List<InterfaceIp> ips = new ArrayList<>();

  @XmlElement(name = "route")
  private List<InterfaceRoute> routes = new ArrayList<>();

  public String network() {
    return network;
  }

  public String bridge() {
    return bridge;
  }

  public String dev() {
    return dev;
  }

  public String mode() {
    return mode;
  }

  public String portgroup() {
    return portgroup;
  }

  public List<InterfaceIp> ips() {
    return Collections.unmodifiableList(ips);
  }

  public List<InterfaceRoute> routes() {
    return Collections.unmodifiableList(routes);
  }
}
