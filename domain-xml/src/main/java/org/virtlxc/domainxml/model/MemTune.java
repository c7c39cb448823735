package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <memtune>}: memory limits. */
@XmlType(propOrder = {"hardLimit", "softLimit", "swapHardLimit", "minGuarantee", "otherElements"})
public class MemTune extends Extensible {
  @XmlElement(name = "hard_limit")
  private ScaledSize hardLimit;

  @XmlElement(name = "soft_limit")
  private ScaledSize softLimit;

  @XmlElement(name = "swap_hard_limit")
  private ScaledSize swapHardLimit;

  @XmlElement(name = "min_guarantee")
  private ScaledSize minGuarantee;

  public ScaledSize hardLimit() {
    return hardLimit;
  }

  public ScaledSize softLimit() {
    return softLimit;
  }

  public ScaledSize swapHardLimit() {
    return swapHardLimit;
  }

  public ScaledSize minGuarantee() {
    return minGuarantee;
  }
}
