package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <blkiotune><device>}: one host block device's weight and throttles. */
@XmlType(propOrder = {"path", "weight", "readIopsSec", "writeIopsSec", "readBytesSec", "writeBytesSec", "otherElements"})
public class BlkioDevice extends Extensible {
  @XmlElement
  private String path;

  @XmlElement
  private String weight;

  @XmlElement(name = "read_iops_sec")
  private String readIopsSec;

  @XmlElement(name = "write_iops_sec")
  private String writeIopsSec;

  @XmlElement(name = "read_bytes_sec")
  private String readBytesSec;

  @XmlElement(name = "write_bytes_sec")
  private String writeBytesSec;

  public String path() {
    return path;
  }

  public String weight() {
    return weight;
  }

  public String readIopsSec() {
    return readIopsSec;
  }

  public String writeIopsSec() {
    return writeIopsSec;
  }

  public String readBytesSec() {
    return readBytesSec;
  }

  public String writeBytesSec() {
    return writeBytesSec;
  }
}
