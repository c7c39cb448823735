package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The {@code <domain>} element: one LXC domain definition. */
@XmlRootElement(name = "domain")
@XmlType(propOrder = {"name", "uuid", "title", "description", "metadata", "maxMemory", "memory", "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu", "cputune", "numatune", "resource", "os", "idmap", "features", "clock", "onPoweroff", "onReboot", "onCrash", "devices", "seclabels", "lxcNamespace", "otherElements"})
public class Domain extends Extensible {
  @XmlAttribute
  private String type;

  @XmlAttribute
  private String id;

  @XmlElement
  private String name;

  @XmlElement
  private String uuid;

  @XmlElement
  private String title;

  @XmlElement
  private String description;

  @XmlElement
  private Metadata metadata;

  @XmlElement
  private MaxMemory maxMemory;

  @XmlElement
  private ScaledSize memory;

  @XmlElement
  private ScaledSize currentMemory;

  @XmlElement
  private BlkioTune blkiotune;

  @XmlElement
  private MemTune memtune;

  @XmlElement
  private MemoryBacking memoryBacking;

  @XmlElement
  private Vcpu vcpu;

  @XmlElement
  private CpuTune cputune;

  @XmlElement
  private NumaTune numatune;

  @XmlElement
  private Resource resource;

  @XmlElement
  private Os os;

  @XmlElement
  private IdMap idmap;

  @XmlElement
  private Features features;

  @XmlElement
  private Clock clock;

  @XmlElement(name = "on_poweroff")
  private String onPoweroff;

  @XmlElement(name = "on_reboot")
  private String onReboot;

  @XmlElement(name = "on_crash")
  private String onCrash;

  @XmlElement
  private Devices devices;

  @XmlElement(name = "seclabel")
  private List<SecLabel> seclabels = new ArrayList<>();

  @XmlElement(name = "namespace", namespace = LxcNamespace.NS)
  private LxcNamespace lxcNamespace;

  public String type() {
    return type;
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  public String uuid() {
    return uuid;
  }

  public String title() {
    return title;
  }

  public String description() {
    return description;
  }

  public Metadata metadata() {
    return metadata;
  }

  public MaxMemory maxMemory() {
    return maxMemory;
  }

  public ScaledSize memory() {
    return memory;
  }

  public ScaledSize currentMemory() {
    return currentMemory;
  }

  public BlkioTune blkiotune() {
    return blkiotune;
  }

  public MemTune memtune() {
    return memtune;
  }

  public MemoryBacking memoryBacking() {
    return memoryBacking;
  }

  public Vcpu vcpu() {
    return vcpu;
  }

  public CpuTune cputune() {
    return cputune;
  }

  public NumaTune numatune() {
    return numatune;
  }

  public Resource resource() {
    return resource;
  }

  public Os os() {
    return os;
  }

  public IdMap idmap() {
    return idmap;
  }

  public Features features() {
    return features;
  }

  public Clock clock() {
    return clock;
  }

  public String onPoweroff() {
    return onPoweroff;
  }

  public String onReboot() {
    return onReboot;
  }

  public String onCrash() {
    return onCrash;
  }

  public Devices devices() {
    return devices;
  }

  public List<SecLabel> seclabels() {
    return Collections.unmodifiableList(seclabels);
  }

  public LxcNamespace lxcNamespace() {
    return lxcNamespace;
  }
}
