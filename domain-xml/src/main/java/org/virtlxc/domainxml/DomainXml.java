package org.virtlxc.domainxml;

import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.Marshaller;
import jakarta.xml.bind.UnmarshalException;
import jakarta.xml.bind.Unmarshaller;
import jakarta.xml.bind.ValidationEvent;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.DomainStatus;

/**
 * Reads and writes libvirt LXC domain XML ({@code <domain>}) and libvirtd's status file
 * ({@code <domstatus>}). Reading validates: a document that parses is one libvirt would take as an LXC
 * domain, or a {@link DomainXmlException} names the line, element and attribute at fault.
 *
 * <p>The status file is read without JAXB ({@link AnnotatedModelReader}, same model, same result): the controller reads
 * it before its handshake with libvirtd, where a JAXB context would cost a few hundred milliseconds. The JAXB context
 * is only made when a domain definition is read or anything is written.
 */
public final class DomainXml {
  private DomainXml() {}

  /** The JAXB context, made on first use. */
  private static final class Jaxb {
    static final JAXBContext CONTEXT = createContext();
  }

  /** Reads the domain definition in {@code file}. */
  public static Domain parse(Path file) throws DomainXmlException {
    return parse(read(file), file.toString());
  }

  /** Reads a domain definition; {@code source} names it in errors (a file name, or e.g. "virsh dumpxml"). */
  public static Domain parse(String xml, String source) throws DomainXmlException {
    SourceLines lines = new SourceLines();
    Domain domain = unmarshal(xml, source, "domain", Domain.class, lines);
    new DomainValidator(source, lines).validate(domain, "/domain");
    return domain;
  }

  /** Reads libvirtd's status file for a live domain ({@code /run/libvirt/lxc/NAME.xml}). */
  public static DomainStatus parseStatus(Path file) throws DomainXmlException {
    return parseStatus(read(file), file.toString());
  }

  /** Reads a {@code <domstatus>} document; {@code source} names it in errors. */
  public static DomainStatus parseStatus(String xml, String source) throws DomainXmlException {
    SourceLines lines = new SourceLines();
    DomainStatus status = readWithoutJaxb(xml, source, "domstatus", DomainStatus.class, lines);
    if (status.domain() == null) {
      throw new DomainXmlException(source, lines.lineOf("/domstatus"), "domstatus", null, "missing <domain>");
    }
    new DomainValidator(source, lines).validate(status.domain(), "/domstatus/domain");
    return status;
  }

  /** The XML for {@code domain}, indented by two spaces as libvirt writes it, without an XML declaration. */
  public static String format(Domain domain) {
    return marshal(domain);
  }

  /** The XML for a status document. */
  public static String formatStatus(DomainStatus status) {
    return marshal(status);
  }

  private static String read(Path file) throws DomainXmlException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new DomainXmlException(file.toString(), 0, null, null, "no such file");
    } catch (MalformedInputException e) {
      throw new DomainXmlException(file.toString(), 0, null, null, "not UTF-8 text", e);
    } catch (IOException e) {
      throw new DomainXmlException(file.toString(), 0, null, null, "unable to read: " + e.getMessage(), e);
    }
  }

  /** {@link AnnotatedModelReader}'s reading of a document, with the same checks and errors as {@link #unmarshal}. */
  static <T> T readWithoutJaxb(String xml, String source, String rootName, Class<T> type, SourceLines lines)
      throws DomainXmlException {
    XMLStreamReader reader = null;
    try {
      reader = openAtRoot(xml, source, rootName);
      return new AnnotatedModelReader().read(lines.track(reader), type);
    } catch (XMLStreamException e) {
      throw malformed(source, e);
    } finally {
      close(reader);
    }
  }

  /** A reader positioned on the root element, which must be {@code <rootName>} in no namespace. */
  private static XMLStreamReader openAtRoot(String xml, String source, String rootName)
      throws XMLStreamException, DomainXmlException {
    XMLStreamReader reader = inputFactory().createXMLStreamReader(new StringReader(xml));
    try {
      while (reader.getEventType() != XMLStreamConstants.START_ELEMENT) {
        if (!reader.hasNext()) {
          throw new DomainXmlException(source, 0, null, null, "no root element; expected <" + rootName + ">");
        }
        reader.next();
      }
      String root = reader.getLocalName();
      String namespace = reader.getNamespaceURI();
      if (!root.equals(rootName) || namespace != null && !namespace.isEmpty()) {
        throw new DomainXmlException(source, reader.getLocation().getLineNumber(), root, null,
            "wrong root element; expected <" + rootName + ">");
      }
      return reader;
    } catch (XMLStreamException | DomainXmlException | RuntimeException e) {
      close(reader);
      throw e;
    }
  }

  static <T> T unmarshal(String xml, String source, String rootName, Class<T> type, SourceLines lines)
      throws DomainXmlException {
    XMLStreamReader reader = null;
    try {
      reader = openAtRoot(xml, source, rootName);
      Unmarshaller unmarshaller = Jaxb.CONTEXT.createUnmarshaller();
      unmarshaller.setEventHandler(event -> event.getSeverity() == ValidationEvent.WARNING);
      return unmarshaller.unmarshal(lines.track(reader), type).getValue();
    } catch (XMLStreamException e) {
      throw malformed(source, e);
    } catch (UnmarshalException e) {
      if (e.getLinkedException() instanceof XMLStreamException xse) {
        throw malformed(source, xse);
      }
      int line = reader == null ? 0 : reader.getLocation().getLineNumber();
      throw new DomainXmlException(source, line, null, null, "unreadable: " + firstMessage(e), e);
    } catch (JAXBException e) {
      throw new IllegalStateException("JAXB failed on a valid document", e);
    } finally {
      close(reader);
    }
  }

  private static DomainXmlException malformed(String source, XMLStreamException e) {
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNumber();
    String message = e.getMessage();
    int detail = message == null ? -1 : message.indexOf("Message: ");
    String reason = detail >= 0 ? message.substring(detail + "Message: ".length()) : String.valueOf(message);
    return new DomainXmlException(source, Math.max(line, 0), null, null, "malformed XML: " + reason.strip(), e);
  }

  private static String firstMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        return t.getMessage();
      }
    }
    return e.toString();
  }

  private static void close(XMLStreamReader reader) {
    if (reader != null) {
      try {
        reader.close();
      } catch (XMLStreamException ignored) {
        // Reading from a string: nothing to release.
      }
    }
  }

  private static XMLInputFactory inputFactory() {
    // The JDK's own parser: newFactory() would first look for others through every jar of the class path.
    XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
    // Domain XML never needs a DTD; refusing them keeps external entities out.
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    return factory;
  }

  private static String marshal(Object root) {
    try {
      Marshaller marshaller = Jaxb.CONTEXT.createMarshaller();
      marshaller.setProperty(Marshaller.JAXB_FORMATTED_OUTPUT, true);
      marshaller.setProperty(Marshaller.JAXB_FRAGMENT, true);
      marshaller.setProperty("org.glassfish.jaxb.indentString", "  ");
      StringWriter out = new StringWriter();
      marshaller.marshal(root, out);
      return out.toString().strip() + "\n";
    } catch (JAXBException e) {
      throw new IllegalStateException("unable to write domain XML", e);
    }
  }

  private static JAXBContext createContext() {
    try {
      return JAXBContext.newInstance(Domain.class, DomainStatus.class);
    } catch (JAXBException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
