package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <memoryBacking><hugepages>}. */
@XmlType(propOrder = {"pages", "otherElements"})
public class Hugepages extends Extensible {
  @XmlElement(name = "page")
  private List<HugePage> pages = new ArrayList<>();

  public List<HugePage> pages() {
    return Collections.unmodifiableList(pages);
  }
}
