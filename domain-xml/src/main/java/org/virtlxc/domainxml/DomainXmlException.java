package org.virtlxc.domainxml;

/**
 * A domain XML document that cannot be used, with where and why: the source (file name), the line
 * (0 when unknown), the element, the attribute (or null) and the problem.
 */
public final class DomainXmlException extends Exception {
  private final String source;
  private final int line;
  private final String element;
  private final String attribute;
  private final String problem;

  public DomainXmlException(String source, int line, String element, String attribute, String problem) {
    this(source, line, element, attribute, problem, null);
  }

  public DomainXmlException(String source, int line, String element, String attribute, String problem,
      Throwable cause) {
    super(describe(source, line, element, attribute, problem), cause);
    this.source = source;
    this.line = line;
    this.element = element;
    this.attribute = attribute;
    this.problem = problem;
  }

  private static String describe(String source, int line, String element, String attribute, String problem) {
    StringBuilder sb = new StringBuilder(source);
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (element != null) {
      sb.append("element <").append(element).append('>');
      if (attribute != null) {
        sb.append(", attribute '").append(attribute).append('\'');
      }
      sb.append(": ");
    }
    return sb.append(problem).toString();
  }

  public String source() {
    return source;
  }

  /** 1-based line of the element at fault, or 0 when the parser could not tell. */
  public int line() {
    return line;
  }

  public String element() {
    return element;
  }

  public String attribute() {
    return attribute;
  }

  public String problem() {
    return problem;
  }
}
