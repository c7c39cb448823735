package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <memoryBacking>}. */
@XmlType(propOrder = {"hugepages", "nosharepages", "locked", "source", "access", "allocation", "discard", "otherElements"})
public class MemoryBacking extends Extensible {
  @XmlElement
  private Hugepages hugepages;

  @XmlElement
  private Marker nosharepages;

  @XmlElement
  private Marker locked;

  @XmlElement
  private MemorySource source;

  @XmlElement
  private MemoryAccess access;

  @XmlElement
  private MemoryAllocation allocation;

  @XmlElement
  private Marker discard;

  public Hugepages hugepages() {
    return hugepages;
  }

  public Marker nosharepages() {
    return nosharepages;
  }

  public Marker locked() {
    return locked;
  }

  public MemorySource source() {
    return source;
  }

  public MemoryAccess access() {
    return access;
  }

  public MemoryAllocation allocation() {
    return allocation;
  }

  public Marker discard() {
    return discard;
  }
}
