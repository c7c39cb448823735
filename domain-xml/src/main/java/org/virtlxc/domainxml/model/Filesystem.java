package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <filesystem type='mount|block|file|ram|bind'>}. */
@XmlType(propOrder = {"driver", "source", "target", "readonly", "spaceHardLimit", "spaceSoftLimit", "otherElements"})
public class Filesystem extends Extensible {
  @XmlAttribute
  private String type;

  @XmlAttribute
  private String accessmode;

  @XmlElement
  private FsDriver driver;

  @XmlElement
  private FsSource source;

  @XmlElement
  private FsTarget target;

  @XmlElement
  private Marker readonly;

  @XmlElement(name = "space_hard_limit")
  private ScaledSize spaceHardLimit;

  @XmlElement(name = "space_soft_limit")
  private ScaledSize spaceSoftLimit;

  public String type() {
    return type;
  }

  public String accessmode() {
    return accessmode;
  }

  public FsDriver driver() {
    return driver;
  }

  public FsSource source() {
    return source;
  }

  public FsTarget target() {
    return target;
  }

  public Marker readonly() {
    return readonly;
  }

  public ScaledSize spaceHardLimit() {
    return spaceHardLimit;
  }

  public ScaledSize spaceSoftLimit() {
    return spaceSoftLimit;
  }
}
