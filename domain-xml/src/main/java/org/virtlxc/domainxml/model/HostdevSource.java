package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <hostdev><source>}: a block or char device, a host interface, or a USB device. */
@XmlType(propOrder = {"block", "charDevice", "hostInterface", "vendor", "product", "address", "otherElements"})
public class HostdevSource extends Extensible {
  @XmlElement
  private String block;

  @XmlElement(name = "char")
  private String charDevice;

  @XmlElement(name = "interface")
  private String hostInterface;

  @XmlElement
  private UsbId vendor;

  @XmlElement
  private UsbId product;

  @XmlElement
  private UsbAddress address;

  public String block() {
    return block;
  }

  public String charDevice() {
    return charDevice;
  }

  public String hostInterface() {
    return hostInterface;
  }

  public UsbId vendor() {
    return vendor;
  }

  public UsbId product() {
    return product;
  }

  public UsbAddress address() {
    return address;
  }
}
