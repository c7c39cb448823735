package org.virtlxc.domainxml;

import jakarta.xml.bind.annotation.XmlAnyAttribute;
import jakarta.xml.bind.annotation.XmlAnyElement;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlValue;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Reads a document into the model classes by their own JAXB annotations, without a JAXB context: building one costs
 * the controller a few hundred milliseconds and several MiB before its handshake with libvirtd, for one small file.
 *
 * <p>It binds what the model uses, as JAXB does with field access: {@code @XmlAttribute} and {@code @XmlElement}
 * (String, model class, or a List of them; element and attribute names default to the field's, namespaces to none),
 * {@code @XmlValue} (the element's text), {@code @XmlAnyAttribute} (every other attribute) and {@code @XmlAnyElement}
 * (every other child element, as a DOM element). Children may come in any order; a repeated single element keeps the
 * last, as JAXB does. {@code AnnotatedModelReaderTest} checks that it agrees with JAXB on every test document.
 */
final class AnnotatedModelReader {
  private static final String DEFAULT = "##default";

  /** How one model class is bound, found once per class by reflection. */
  private record Binding(Constructor<?> constructor, Map<QName, Field> attributes, Map<QName, Field> elements,
      Field value, Field anyAttributes, Field anyElements) {}

  private final Map<Class<?>, Binding> bindings = new HashMap<>();
  private Document dom; // made on the first element the model does not know

  /** Reads the element {@code reader} is positioned on (START_ELEMENT), up to and including its END_ELEMENT. */
  <T> T read(XMLStreamReader reader, Class<T> type) throws XMLStreamException {
    return type.cast(readElement(reader, type));
  }

  private Object readElement(XMLStreamReader r, Class<?> type) throws XMLStreamException {
    Binding b = binding(type);
    Object target = newInstance(b.constructor());
    for (int i = 0; i < r.getAttributeCount(); i++) {
      QName name = r.getAttributeName(i);
      Field f = b.attributes().get(new QName(name.getNamespaceURI(), name.getLocalPart()));
      if (f != null) {
        set(f, target, r.getAttributeValue(i));
      } else if (b.anyAttributes() != null) {
        this.<Map<QName, String>>get(b.anyAttributes(), target).put(name, r.getAttributeValue(i));
      }
    }
    StringBuilder text = b.value() != null ? new StringBuilder() : null;
    while (true) {
      switch (r.next()) {
        case XMLStreamConstants.START_ELEMENT -> {
          Field f = b.elements().get(new QName(namespace(r), r.getLocalName()));
          if (f != null) {
            readInto(r, f, target);
          } else if (b.anyElements() != null) {
            this.<List<Element>>get(b.anyElements(), target).add(readDom(r));
          } else {
            skip(r);
          }
        }
        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
          if (text != null) {
            text.append(r.getText());
          }
        }
        case XMLStreamConstants.END_ELEMENT -> {
          if (text != null) {
            set(b.value(), target, text.toString());
          }
          return target;
        }
        default -> {
          // comments and processing instructions carry nothing the model keeps
        }
      }
    }
  }

  private void readInto(XMLStreamReader r, Field f, Object target) throws XMLStreamException {
    if (f.getType() == List.class) {
      Class<?> item = listItemType(f);
      this.<List<Object>>get(f, target).add(item == String.class ? readText(r) : readElement(r, item));
    } else {
      set(f, target, f.getType() == String.class ? readText(r) : readElement(r, f.getType()));
    }
  }

  /** The text of a text-only element (that of nested elements is not part of it). */
  private static String readText(XMLStreamReader r) throws XMLStreamException {
    StringBuilder text = new StringBuilder();
    int depth = 1;
    while (depth > 0) {
      switch (r.next()) {
        case XMLStreamConstants.START_ELEMENT -> depth++;
        case XMLStreamConstants.END_ELEMENT -> depth--;
        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
          if (depth == 1) {
            text.append(r.getText());
          }
        }
        default -> {
          // nothing else is text
        }
      }
    }
    return text.toString();
  }

  private static void skip(XMLStreamReader r) throws XMLStreamException {
    int depth = 1;
    while (depth > 0) {
      int event = r.next();
      if (event == XMLStreamConstants.START_ELEMENT) {
        depth++;
      } else if (event == XMLStreamConstants.END_ELEMENT) {
        depth--;
      }
    }
  }

  /** The element as a DOM element, with its attributes, text and child elements, as JAXB keeps an unknown one. */
  private Element readDom(XMLStreamReader r) throws XMLStreamException {
    Document doc = document();
    Element e = doc.createElementNS(emptyToNull(namespace(r)), qualified(r.getPrefix(), r.getLocalName()));
    for (int i = 0; i < r.getNamespaceCount(); i++) {
      String prefix = r.getNamespacePrefix(i);
      e.setAttributeNS("http://www.w3.org/2000/xmlns/", prefix == null || prefix.isEmpty() ? "xmlns"
          : "xmlns:" + prefix, r.getNamespaceURI(i) == null ? "" : r.getNamespaceURI(i));
    }
    for (int i = 0; i < r.getAttributeCount(); i++) {
      QName name = r.getAttributeName(i);
      e.setAttributeNS(emptyToNull(name.getNamespaceURI()), qualified(name.getPrefix(), name.getLocalPart()),
          r.getAttributeValue(i));
    }
    StringBuilder text = new StringBuilder();
    while (true) {
      switch (r.next()) {
        case XMLStreamConstants.START_ELEMENT -> {
          if (!isWhitespace(text)) { // as JAXB: white space before a child element is dropped, before the end kept
            e.appendChild(doc.createTextNode(text.toString()));
          }
          text.setLength(0);
          e.appendChild(readDom(r));
        }
        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> text.append(r.getText());
        case XMLStreamConstants.END_ELEMENT -> {
          if (text.length() > 0) {
            e.appendChild(doc.createTextNode(text.toString()));
          }
          return e;
        }
        default -> {
          // comments and processing instructions are not kept (the text around them is joined)
        }
      }
    }
  }

  private static boolean isWhitespace(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  private Document document() {
    if (dom == null) {
      try {
        dom = DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().newDocument();
      } catch (ParserConfigurationException e) {
        throw new IllegalStateException("no DOM implementation", e);
      }
    }
    return dom;
  }

  private Binding binding(Class<?> type) {
    Binding b = bindings.get(type);
    if (b == null) {
      b = bind(type);
      bindings.put(type, b);
    }
    return b;
  }

  private static Binding bind(Class<?> type) {
    Map<QName, Field> attributes = new HashMap<>();
    Map<QName, Field> elements = new HashMap<>();
    Field value = null;
    Field anyAttributes = null;
    Field anyElements = null;
    for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) {
          continue;
        }
        XmlAttribute attribute = f.getAnnotation(XmlAttribute.class);
        XmlElement element = f.getAnnotation(XmlElement.class);
        if (attribute != null) {
          attributes.put(new QName(orEmpty(attribute.namespace()), orField(attribute.name(), f)), accessible(f));
        } else if (element != null) {
          elements.put(new QName(orEmpty(element.namespace()), orField(element.name(), f)), accessible(f));
        } else if (f.isAnnotationPresent(XmlValue.class)) {
          value = accessible(f);
        } else if (f.isAnnotationPresent(XmlAnyAttribute.class)) {
          anyAttributes = accessible(f);
        } else if (f.isAnnotationPresent(XmlAnyElement.class)) {
          anyElements = accessible(f);
        } else {
          throw new IllegalStateException("model field " + c.getName() + "." + f.getName()
              + " has no binding this reader knows (add it to AnnotatedModelReader)");
        }
      }
    }
    try {
      Constructor<?> constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      return new Binding(constructor, attributes, elements, value, anyAttributes, anyElements);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("model class " + type.getName() + " has no no-argument constructor", e);
    }
  }

  private static Class<?> listItemType(Field f) {
    return (Class<?>) ((ParameterizedType) f.getGenericType()).getActualTypeArguments()[0];
  }

  private static Field accessible(Field f) {
    f.setAccessible(true);
    return f;
  }

  private static String orEmpty(String namespace) {
    return DEFAULT.equals(namespace) ? "" : namespace;
  }

  private static String orField(String name, Field f) {
    return DEFAULT.equals(name) ? f.getName() : name;
  }

  private static String namespace(XMLStreamReader r) {
    String ns = r.getNamespaceURI();
    return ns == null ? "" : ns;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String qualified(String prefix, String local) {
    return prefix == null || prefix.isEmpty() ? local : prefix + ":" + local;
  }

  private static Object newInstance(Constructor<?> c) {
    try {
      return c.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("unable to create " + c.getDeclaringClass().getName(), e);
    }
  }

  private static void set(Field f, Object target, Object value) {
    try {
      f.set(target, value);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T get(Field f, Object target) {
    try {
      return (T) f.get(target);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
