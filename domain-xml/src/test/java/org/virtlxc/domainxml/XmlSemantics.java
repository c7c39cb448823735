package org.virtlxc.domainxml;

import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.virtlxc.domainxml.model.SizeUnit;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * Compares two XML documents by meaning, not by bytes: attribute order, quoting, indentation and
 * the order between children of different names do not count; the order among same-named children
 * (initargs, disks) does. Optionally sizes are compared in bytes ({@code unit}/{@code units}
 * attributes), since libvirt rewrites them in KiB.
 */
public final class XmlSemantics {
  /** Elements whose text is a size, and the unit libvirt assumes when none is written. */
  private static final Map<String, String> DEFAULT_UNITS = Map.of(
      "memory", "KiB", "currentMemory", "KiB", "maxMemory", "KiB", "hard_limit", "KiB", "soft_limit", "KiB",
      "swap_hard_limit", "KiB", "min_guarantee", "KiB", "space_hard_limit", "bytes", "space_soft_limit", "bytes");

  private final boolean normaliseUnits;

  private XmlSemantics(boolean normaliseUnits) {
    this.normaliseUnits = normaliseUnits;
  }

  /** Exact meaning: the two documents must say the same things. */
  public static XmlSemantics exact() {
    return new XmlSemantics(false);
  }

  /** As {@link #exact()}, with sizes compared in bytes whatever unit they are written in. */
  public static XmlSemantics unitsNormalised() {
    return new XmlSemantics(true);
  }

  /** The differences between the two documents, one line each; empty when they mean the same. */
  public List<String> differences(String expected, String actual) {
    List<String> out = new ArrayList<>();
    compare(root(expected), root(actual), "/" + root(expected).getNodeName(), false, out);
    return out;
  }

  /**
   * What {@code expected} says that {@code actual} does not: every element, attribute and text of
   * {@code expected} must be found in {@code actual}, which may say more (e.g. libvirt's defaults).
   */
  public List<String> missing(String expected, String actual) {
    List<String> out = new ArrayList<>();
    compare(root(expected), root(actual), "/" + root(expected).getNodeName(), true, out);
    return out;
  }

  private void compare(Element e, Element a, String path, boolean subset, List<String> out) {
    Map<String, String> ea = attributes(e);
    Map<String, String> aa = attributes(a);
    for (Map.Entry<String, String> x : ea.entrySet()) {
      String got = aa.get(x.getKey());
      if (!x.getValue().equals(got)) {
        out.add(path + "/@" + x.getKey() + ": expected '" + x.getValue() + "', got " + quote(got));
      }
    }
    if (!subset) {
      for (String k : aa.keySet()) {
        if (!ea.containsKey(k)) {
          out.add(path + "/@" + k + ": unexpected attribute '" + aa.get(k) + "'");
        }
      }
    }
    Map<String, List<Element>> ec = children(e);
    Map<String, List<Element>> ac = children(a);
    if (ec.isEmpty()) {
      String et = text(e);
      String at = ac.isEmpty() ? text(a) : null;
      if (!et.equals(at) && !(subset && et.isEmpty())) {
        out.add(path + ": expected text '" + et + "', got " + quote(at));
      }
    }
    for (Map.Entry<String, List<Element>> group : ec.entrySet()) {
      List<Element> got = ac.getOrDefault(group.getKey(), List.of());
      List<Element> want = group.getValue();
      if (got.size() < want.size() || !subset && got.size() != want.size()) {
        out.add(path + "/" + group.getKey() + ": expected " + want.size() + " element(s), got " + got.size());
        continue;
      }
      for (int i = 0; i < want.size(); i++) {
        compare(want.get(i), got.get(i), path + "/" + group.getKey() + (want.size() > 1 ? "[" + (i + 1) + "]" : ""),
            subset, out);
      }
    }
    if (!subset) {
      for (String name : ac.keySet()) {
        if (!ec.containsKey(name)) {
          out.add(path + "/" + name + ": unexpected element");
        }
      }
    }
  }

  private Map<String, String> attributes(Element e) {
    Map<String, String> map = new TreeMap<>();
    NamedNodeMap attrs = e.getAttributes();
    for (int i = 0; i < attrs.getLength(); i++) {
      Attr attr = (Attr) attrs.item(i);
      if ("http://www.w3.org/2000/xmlns/".equals(attr.getNamespaceURI())) {
        continue;
      }
      map.put(name(attr), attr.getValue());
    }
    if (normaliseUnits) {
      normaliseSize(e, map, "unit", null);
      normaliseSize(e, map, "units", "usage");
    }
    return map;
  }

  /** Rewrites a sized value (element text, or the attribute {@code valueAttr}) to bytes. */
  private static void normaliseSize(Element e, Map<String, String> map, String unitAttr, String valueAttr) {
    String unit = map.get(unitAttr);
    if (unit == null && valueAttr == null) {
      unit = DEFAULT_UNITS.get(e.getLocalName());
    } else if (unit == null && map.containsKey(valueAttr)) {
      unit = "KiB";
    }
    if (unit == null || !SizeUnit.isKnown(unit)) {
      return;
    }
    String value = valueAttr == null ? text(e) : map.get(valueAttr);
    if (value == null || !value.matches("[0-9]+")) {
      return;
    }
    String bytes = new BigInteger(value).multiply(SizeUnit.scale(unit)).toString();
    map.remove(unitAttr);
    if (valueAttr == null) {
      e.setUserData("normalisedText", bytes, null);
    } else {
      map.put(valueAttr, bytes);
    }
  }

  private static Map<String, List<Element>> children(Element e) {
    Map<String, List<Element>> map = new LinkedHashMap<>();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element c) {
        map.computeIfAbsent(name(c), k -> new ArrayList<>()).add(c);
      }
    }
    return map;
  }

  private static String text(Element e) {
    Object normalised = e.getUserData("normalisedText");
    return normalised != null ? (String) normalised : e.getTextContent().strip();
  }

  private static String name(Node n) {
    String ns = n.getNamespaceURI();
    return ns == null || ns.isEmpty() ? n.getLocalName() : "{" + ns + "}" + n.getLocalName();
  }

  private static String quote(String s) {
    return s == null ? "nothing" : "'" + s + "'";
  }

  private static Element root(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
    } catch (Exception e) {
      throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
    }
  }
}
