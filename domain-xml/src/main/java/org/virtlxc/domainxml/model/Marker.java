package org.virtlxc.domainxml.model;

/** An empty element whose presence is the information, such as {@code <readonly/>} or {@code <privnet/>}. */
public class Marker extends Extensible {
  public Marker() {}
}
