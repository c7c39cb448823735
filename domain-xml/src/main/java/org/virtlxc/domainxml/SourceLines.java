package org.virtlxc.domainxml;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.util.StreamReaderDelegate;
import org.virtlxc.domainxml.model.LxcNamespace;

/**
 * Remembers the line of every element start while JAXB reads a document, keyed by its path:
 * {@code /domain/devices/filesystem[2]/target} (1-based index among same-named siblings, omitted for
 * the first). The validator turns model positions into such paths to name the line at fault.
 */
final class SourceLines {
  private final Map<String, Integer> lines = new HashMap<>();

  /** The line of the element at {@code path}, or of its nearest recorded ancestor, or 0. */
  int lineOf(String path) {
    String p = path;
    while (!p.isEmpty()) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
    return 0;
  }

  /** Wraps {@code reader} (positioned on the root element) so that each element start is recorded. */
  XMLStreamReader track(XMLStreamReader reader) {
    Recorder recorder = new Recorder(reader);
    recorder.enter();
    return recorder;
  }

  static String step(String name, int index) {
    return index == 0 ? "/" + name : "/" + name + "[" + (index + 1) + "]";
  }

  private final class Recorder extends StreamReaderDelegate {
    /** For each open element: its path and how many children of each name it has had so far. */
    private final Deque<String> paths = new ArrayDeque<>();
    private final Deque<Map<String, Integer>> childCounts = new ArrayDeque<>();

    Recorder(XMLStreamReader reader) {
      super(reader);
      childCounts.push(new HashMap<>());
      paths.push("");
    }

    @Override
    public int next() throws XMLStreamException {
      int event = super.next();
      if (event == XMLStreamConstants.START_ELEMENT) {
        enter();
      } else if (event == XMLStreamConstants.END_ELEMENT) {
        paths.pop();
        childCounts.pop();
      }
      return event;
    }

    @Override
    public int nextTag() throws XMLStreamException {
      int event;
      do {
        event = next();
      } while (event != XMLStreamConstants.START_ELEMENT && event != XMLStreamConstants.END_ELEMENT);
      return event;
    }

    void enter() {
      String name = LxcNamespace.NS.equals(getNamespaceURI()) ? "lxc:" + getLocalName() : getLocalName();
      int index = childCounts.peek().merge(name, 1, Integer::sum) - 1;
      String path = paths.peek() + step(name, index);
      lines.put(path, getLocation().getLineNumber());
      paths.push(path);
      childCounts.push(new HashMap<>());
    }
  }
}
