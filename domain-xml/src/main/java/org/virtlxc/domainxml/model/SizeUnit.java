package org.virtlxc.domainxml.model;

import java.math.BigInteger;
import java.util.Locale;

/**
 * libvirt's size units ({@code virScaleInteger}): "b"/"bytes", then k, M, G, T, P, E with an optional
 * "iB" (powers of 1024) or "B" (powers of 1000) suffix, case-insensitive.
 */
public final class SizeUnit {
  /** Largest size libvirt accepts for memory and similar values: LLONG_MAX bytes. */
  public static final BigInteger MAX_BYTES = BigInteger.valueOf(Long.MAX_VALUE);

  private SizeUnit() {}

  /** Bytes in one {@code unit}; throws {@link IllegalArgumentException} naming the unit if it is unknown. */
  public static BigInteger scale(String unit) {
    String u = unit.trim().toLowerCase(Locale.ROOT);
    if (u.equals("b") || u.equals("byte") || u.equals("bytes")) {
      return BigInteger.ONE;
    }
    if (u.isEmpty()) {
      throw new IllegalArgumentException("unknown unit ''");
    }
    String suffix = u.substring(1);
    int base;
    if (suffix.isEmpty() || suffix.equals("ib")) {
      base = 1024;
    } else if (suffix.equals("b")) {
      base = 1000;
    } else {
      throw new IllegalArgumentException("unknown unit '" + unit + "'");
    }
    int power = "kmgtpe".indexOf(u.charAt(0)) + 1;
    if (power == 0) {
      throw new IllegalArgumentException("unknown unit '" + unit + "'");
    }
    return BigInteger.valueOf(base).pow(power);
  }

  /** True when libvirt knows {@code unit}. */
  public static boolean isKnown(String unit) {
    try {
      scale(unit);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * {@code value} in {@code unit}, in bytes. Throws {@link IllegalArgumentException} with a short reason
   * (not a number, negative, larger than libvirt accepts, unknown unit).
   */
  public static long toBytes(String value, String unit) {
    BigInteger n = parseCount(value);
    BigInteger bytes = n.multiply(scale(unit));
    if (bytes.compareTo(MAX_BYTES) > 0) {
      throw new IllegalArgumentException("size '" + value + " " + unit + "' is larger than the maximum of "
          + MAX_BYTES + " bytes");
    }
    return bytes.longValueExact();
  }

  /** A non-negative decimal integer, as libvirt reads sizes (base 10). */
  static BigInteger parseCount(String value) {
    String v = value.trim();
    if (v.startsWith("-")) {
      throw new IllegalArgumentException("size '" + v + "' is negative");
    }
    if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("'" + v + "' is not a non-negative integer");
    }
    return new BigInteger(v);
  }
}
