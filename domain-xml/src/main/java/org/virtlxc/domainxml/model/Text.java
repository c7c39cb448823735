package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlValue;

/** An element whose content is plain text, such as {@code <emulator>} or {@code <initarg>}. */
public class Text extends Attributed {
  @XmlValue
  private String value;

  protected Text() {}

  public Text(String value) {
    this.value = value;
  }

  /** The text as written, or "" for an empty element. */
  public String value() {
    return value == null ? "" : value;
  }

  @Override
  public String toString() {
    return value();
  }
}
