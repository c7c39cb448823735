package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The {@code <domstatus>} file libvirtd writes to {@code /run/libvirt/lxc/NAME.xml} for a live domain. */
@XmlRootElement(name = "domstatus")
@XmlType(propOrder = {"taints", "init", "domain", "otherElements"})
public class DomainStatus extends Extensible {
  @XmlAttribute
  private String state;

  @XmlAttribute
  private String reason;

  @XmlAttribute
  private String pid;

  @XmlElement(name = "taint")
  private List<Taint> taints = new ArrayList<>();

  @XmlElement
  private InitPid init;

  @XmlElement
  private Domain domain;

  public String state() {
    return state;
  }

  public String reason() {
    return reason;
  }

  public String pid() {
    return pid;
  }

  public List<Taint> taints() {
    return Collections.unmodifiableList(taints);
  }

  public InitPid init() {
    return init;
  }

  public Domain domain() {
    return domain;
  }
}
