package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <interface type='network|bridge|ethernet|direct'>}. */
@XmlType(propOrder = {"mac", "source", "target", "guest", "ips", "routes", "link", "bandwidth", "otherElements"})
public class NetInterface extends Extensible {
  @XmlAttribute
  private String type;

  @XmlElement
  private MacAddress mac;

  @XmlElement
  private InterfaceSource source;

  @XmlElement
  private InterfaceTarget target;

  @XmlElement
  private InterfaceGuest guest;

  @XmlElement(name = "ip")
  private List<InterfaceIp> ips = new ArrayList<>();

  @XmlElement(name = "route")
  private List<InterfaceRoute> routes = new ArrayList<>();

  @XmlElement
  private LinkState link;

  @XmlElement
  private Bandwidth bandwidth;

  public String type() {
    return type;
  }

  public MacAddress mac() {
    return mac;
  }

  public InterfaceSource source() {
    return source;
  }

  public InterfaceTarget target() {
    return target;
  }

  public InterfaceGuest guest() {
    return guest;
  }

  public List<InterfaceIp> ips() {
    return Collections.unmodifiableList(ips);
  }

  public List<InterfaceRoute> routes() {
    return Collections.unmodifiableList(routes);
  }

  public LinkState link() {
    return link;
  }

  public Bandwidth bandwidth() {
    return bandwidth;
  }
}
