/**
 * JAXB model of the libvirt domain XML elements that the LXC driver honours, and of the
 * {@code <domstatus>} file libvirtd writes for a running domain.
 *
 * <p>Every class keeps the attributes and child elements it does not model ({@link Attributed},
 * {@link Extensible}), so a document read and written again loses nothing libvirt wrote. Text that
 * carries a number keeps the user's spelling; normalised values (KiB, bytes) are computed on demand.
 *
 * <p>The classes are JAXB beans (field access, no-argument constructors) because JAXB cannot bind
 * records; their public surface is read-only.
 */
@XmlSchema(xmlns = @XmlNs(prefix = "lxc", namespaceURI = LxcNamespace.NS))
@XmlAccessorType(XmlAccessType.FIELD)
package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlNs;
import jakarta.xml.bind.annotation.XmlSchema;
