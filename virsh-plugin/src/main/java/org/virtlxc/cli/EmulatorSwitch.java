package org.virtlxc.cli;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * A domain XML document whose {@code <devices><emulator>} virt-lxc switches. Everything else in the document is kept as
 * it is. When a domain is adopted, its previous emulator is recorded in the domain's {@code <metadata>}, in virt-lxc's
 * own namespace ({@code <virtlxc:adopted previous-emulator='…'/>}), which libvirt keeps with the definition.
 */
final class EmulatorSwitch {
  static final String NAMESPACE = "https://virt-lxc.org/xmlns/domain/1.0";
  static final String PREFIX = "virtlxc";
  static final String ADOPTED = "adopted";
  static final String PREVIOUS = "previous-emulator";

  private final Document doc;
  private final Element root;

  private EmulatorSwitch(Document doc) {
    this.doc = doc;
    this.root = doc.getDocumentElement();
  }

  /** Reads a domain XML document (already known to be well-formed, e.g. libvirt's dumpxml). */
  static EmulatorSwitch of(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return new EmulatorSwitch(f.newDocumentBuilder().parse(new InputSource(new StringReader(xml))));
    } catch (ParserConfigurationException | SAXException | java.io.IOException e) {
      throw new IllegalArgumentException("unable to read the domain XML: " + e.getMessage(), e);
    }
  }

  /** The {@code <name>} of the domain. */
  String name() {
    return child(root, "name").map(e -> e.getTextContent().strip()).orElse("");
  }

  /** The current {@code <devices><emulator>}, if any. */
  Optional<String> emulator() {
    return child(root, "devices").flatMap(d -> child(d, "emulator")).map(e -> e.getTextContent().strip());
  }

  /** The emulator recorded when the domain was adopted, if any. */
  Optional<String> recordedEmulator() {
    return adoptedRecord().map(e -> e.getAttribute(PREVIOUS)).filter(s -> !s.isEmpty());
  }

  /** Names {@code path} as the domain's emulator, adding {@code <devices>} or {@code <emulator>} when missing. */
  EmulatorSwitch setEmulator(String path) {
    Element devices = child(root, "devices").orElseGet(() -> (Element) root.appendChild(element("devices")));
    Element emulator = child(devices, "emulator")
        .orElseGet(() -> (Element) devices.insertBefore(element("emulator"), devices.getFirstChild()));
    emulator.setTextContent(path);
    return this;
  }

  /** Records {@code previous} as the emulator to restore on revert (replacing an earlier record). */
  EmulatorSwitch record(String previous) {
    Element metadata = child(root, "metadata").orElseGet(() -> (Element) root.appendChild(element("metadata")));
    adoptedRecord().ifPresent(metadata::removeChild);
    Element adopted = doc.createElementNS(NAMESPACE, PREFIX + ":" + ADOPTED);
    adopted.setAttribute(PREVIOUS, previous);
    metadata.appendChild(adopted);
    return this;
  }

  /** Removes virt-lxc's record, and {@code <metadata>} too when nothing else is left in it. */
  EmulatorSwitch forget() {
    child(root, "metadata").ifPresent(metadata -> {
      adoptedRecord().ifPresent(metadata::removeChild);
      boolean empty = true;
      for (Node n = metadata.getFirstChild(); n != null; n = n.getNextSibling()) {
        empty &= n.getNodeType() == Node.TEXT_NODE && n.getTextContent().isBlank();
      }
      if (empty) {
        root.removeChild(metadata);
      }
    });
    return this;
  }

  /** The document as text. */
  String xml() {
    try {
      var t = TransformerFactory.newInstance().newTransformer();
      t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
      StringWriter out = new StringWriter();
      t.transform(new DOMSource(doc), new StreamResult(out));
      return out.toString();
    } catch (TransformerException e) {
      throw new IllegalStateException("unable to write the domain XML", e);
    }
  }

  private Optional<Element> adoptedRecord() {
    return child(root, "metadata").flatMap(m -> {
      for (Node n = m.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element e && NAMESPACE.equals(e.getNamespaceURI()) && ADOPTED.equals(e.getLocalName())) {
          return Optional.of(e);
        }
      }
      return Optional.empty();
    });
  }

  private Element element(String name) {
    return doc.createElementNS(root.getNamespaceURI(), name);
  }

  private static Optional<Element> child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
