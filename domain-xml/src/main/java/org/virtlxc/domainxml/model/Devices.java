package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <devices>}. */
@XmlType(propOrder = {"emulator", "disks", "filesystems", "interfaces", "serials", "consoles", "hostdevs", "otherElements"})
public class Devices extends Extensible {
  @XmlElement
  private String emulator;

  @XmlElement(name = "disk")
  private List<Disk> disks = new ArrayList<>();

  @XmlElement(name = "filesystem")
  private List<Filesystem> filesystems = new ArrayList<>();

  @XmlElement(name = "interface")
  private List<NetInterface> interfaces = new ArrayList<>();

  @XmlElement(name = "serial")
  private List<CharDevice> serials = new ArrayList<>();

  @XmlElement(name = "console")
  private List<CharDevice> consoles = new ArrayList<>();

  @XmlElement(name = "hostdev")
  private List<Hostdev> hostdevs = new ArrayList<>();

  public String emulator() {
    return emulator;
  }

  public List<Disk> disks() {
    return Collections.unmodifiableList(disks);
  }

  public List<Filesystem> filesystems() {
    return Collections.unmodifiableList(filesystems);
  }

  public List<NetInterface> interfaces() {
    return Collections.unmodifiableList(interfaces);
  }

  public List<CharDevice> serials() {
    return Collections.unmodifiableList(serials);
  }

  public List<CharDevice> consoles() {
    return Collections.unmodifiableList(consoles);
  }

  public List<Hostdev> hostdevs() {
    return Collections.unmodifiableList(hostdevs);
  }
}
