package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <numatune>}: memory node placement. */
@XmlType(propOrder = {"memory", "memnodes", "otherElements"})
public class NumaTune extends Extensible {
  @XmlElement
  private NumaMemory memory;

  @XmlElement(name = "memnode")
  private List<NumaMemNode> memnodes = new ArrayList<>();

  public NumaMemory memory() {
    return memory;
  }

  public List<NumaMemNode> memnodes() {
    return Collections.unmodifiableList(memnodes);
  }
}
