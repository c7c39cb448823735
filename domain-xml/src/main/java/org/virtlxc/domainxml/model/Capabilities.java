package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;
import java.util.List;
import org.w3c.dom.Element;

/**
 * {@code <features><capabilities policy='default|allow|deny'>} with one child per capability, named
 * after it ({@code <mknod state='off'/>}). The children are kept as written; {@link #entries()} reads them.
 */
@XmlType(propOrder = {"otherElements"})
public class Capabilities extends Extensible {
  @XmlAttribute
  private String policy;

  public String policy() {
    return policy;
  }

  /** One capability of the list: its name ({@code sys_admin}) and its {@code state} ("on", "off" or null). */
  public record Entry(String name, String state) {}

  /** The capabilities named in the document, in order. */
  public List<Entry> entries() {
    return otherElements().stream().map(Capabilities::entry).toList();
  }

  private static Entry entry(Element e) {
    String state = e.hasAttribute("state") ? e.getAttribute("state") : null;
    return new Entry(e.getLocalName(), state);
  }
}
