package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <domstatus><init pid>}: the container init's pid in the host pid namespace (LXC private data). */
@XmlType(propOrder = {"otherElements"})
public class InitPid extends Extensible {
  @XmlAttribute
  private String pid;

  public String pid() {
    return pid;
  }
}
