package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAnyAttribute;
import jakarta.xml.bind.annotation.XmlTransient;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.namespace.QName;

/** Base of every model element: keeps the attributes the model does not know, to write them back. */
@XmlTransient
public abstract class Attributed {
  @XmlAnyAttribute
  private Map<QName, String> otherAttributes = new LinkedHashMap<>();

  /** Attributes present in the document that the model has no field for, in document order. */
  public Map<QName, String> otherAttributes() {
    return Collections.unmodifiableMap(otherAttributes);
  }
}
