package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAnyElement;
import jakarta.xml.bind.annotation.XmlTransient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.w3c.dom.Element;

/** Base of model elements with children: also keeps the child elements the model does not know. */
@XmlTransient
public abstract class Extensible extends Attributed {
  @XmlAnyElement
  private List<Element> otherElements = new ArrayList<>();

  /** Child elements present in the document that the model has no field for, in document order. */
  public List<Element> otherElements() {
    return Collections.unmodifiableList(otherElements);
  }
}
