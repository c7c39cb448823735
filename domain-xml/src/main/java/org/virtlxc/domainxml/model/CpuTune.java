package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <cputune>}: CPU shares, bandwidth and pinning. */
@XmlType(propOrder = {"shares", "period", "quota", "globalPeriod", "globalQuota", "emulatorPeriod", "emulatorQuota", "vcpupins", "emulatorpin", "otherElements"})
public class CpuTune extends Extensible {
  @XmlElement
  private String shares;

  @XmlElement
  private String period;

  @XmlElement
  private String quota;

  @XmlElement(name = "global_period")
  private String globalPeriod;

  @XmlElement(name = "global_quota")
  private String globalQuota;

  @XmlElement(name = "emulator_period")
  private String emulatorPeriod;

  @XmlElement(name = "emulator_quota")
  private String emulatorQuota;

  @XmlElement(name = "vcpupin")
  private List<VcpuPin> vcpupins = new ArrayList<>();

  @XmlElement
  private EmulatorPin emulatorpin;

  public String shares() {
    return shares;
  }

  public String period() {
    return period;
  }

  public String quota() {
    return quota;
  }

  public String globalPeriod() {
    return globalPeriod;
  }

  public String globalQuota() {
    return globalQuota;
  }

  public String emulatorPeriod() {
    return emulatorPeriod;
  }

  public String emulatorQuota() {
    return emulatorQuota;
  }

  public List<VcpuPin> vcpupins() {
    return Collections.unmodifiableList(vcpupins);
  }

  public EmulatorPin emulatorpin() {
    return emulatorpin;
  }
}
