package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <blkiotune>}: block I/O weight and per-device weights and throttles. */
@XmlType(propOrder = {"weight", "devices", "otherElements"})
public class BlkioTune extends Extensible {
  @XmlElement
  private String weight;

  @XmlElement(name = "device")
  private List<BlkioDevice> devices = new ArrayList<>();

  public String weight() {
    return weight;
  }

  public List<BlkioDevice> devices() {
    return Collections.unmodifiableList(devices);
  }
}
