package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlValue;

/**
 * A size as libvirt writes it: a number and an optional {@code unit} attribute, for example
 * {@code <memory unit='MiB'>64</memory>}. The user's spelling is kept for writing back; {@link #bytes}
 * and {@link #kib} normalise it. The number is checked by {@code DomainValidator}, not here.
 */
public class ScaledSize extends Attributed {
  @XmlAttribute
  private String unit;

  @XmlValue
  private String value;

  protected ScaledSize() {}

  public ScaledSize(String value, String unit) {
    this.value = value;
    this.unit = unit;
  }

  /** The number as written (trimmed). */
  public String value() {
    return value == null ? "" : value.trim();
  }

  /** The unit as written, or null when absent (the element's default unit applies). */
  public String unit() {
    return unit;
  }

  /** The size in bytes, with {@code defaultUnit} applying when no unit is written. */
  public long bytes(String defaultUnit) {
    return SizeUnit.toBytes(value(), unit == null ? defaultUnit : unit);
  }

  /** The size in KiB (rounded up, as libvirt does), with {@code defaultUnit} applying when no unit is written. */
  public long kib(String defaultUnit) {
    long bytes = bytes(defaultUnit);
    return bytes / 1024 + (bytes % 1024 == 0 ? 0 : 1);
  }

  @Override
  public String toString() {
    return unit == null ? value() : value() + " " + unit;
  }
}
