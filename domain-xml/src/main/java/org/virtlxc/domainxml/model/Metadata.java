package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlType;

/** {@code <metadata>}: applications' own elements, kept verbatim as {@link #otherElements()}. */
@XmlType(propOrder = {"otherElements"})
public class Metadata extends Extensible {

}
