package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <os>}: for LXC, the init program, its arguments, environment, directory and user. */
@XmlType(propOrder = {"type", "init", "initargs", "initenvs", "initdir", "inituser", "initgroup", "otherElements"})
public class Os extends Extensible {
  @XmlElement
  private OsType type;

  @XmlElement
  private String init;

  @XmlElement(name = "initarg")
  private List<String> initargs = new ArrayList<>();

  @XmlElement(name = "initenv")
  private List<InitEnv> initenvs = new ArrayList<>();

  @XmlElement
  private String initdir;

  @XmlElement
  private String inituser;

  @XmlElement
  private String initgroup;

  public OsType type() {
    return type;
  }

  public String init() {
    return init;
  }

  public List<String> initargs() {
    return Collections.unmodifiableList(initargs);
  }

  public List<InitEnv> initenvs() {
    return Collections.unmodifiableList(initenvs);
  }

  public String initdir() {
    return initdir;
  }

  public String inituser() {
    return inituser;
  }

  public String initgroup() {
    return initgroup;
  }
}
