package org.virtlxc.driver.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** A numeric IPv4 or IPv6 address as written in domain XML; never a host name (so never a DNS lookup). */
final class IpLiteral {
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private IpLiteral() {}

  /** Parses {@code value}; throws with a message naming what is wrong (the caller adds where it was found). */
  static InetAddress parse(String value) throws NetworkConfigException {
    if (value == null || value.isBlank()) {
      throw new NetworkConfigException("missing address");
    }
    String v = value.strip();
    var m = IPV4.matcher(v);
    if (m.matches()) {
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(m.group(i + 1));
        if (octet > 255) {
          throw new NetworkConfigException("'" + value + "' is not an IP address");
        }
        bytes[i] = (byte) octet;
      }
      return address(bytes, value);
    }
    if (IPV6.matcher(v).matches()) {
      try {
        return InetAddress.getByName(v); // a literal containing ':' is parsed, never looked up
      } catch (UnknownHostException e) {
        throw new NetworkConfigException("'" + value + "' is not an IP address", e);
      }
    }
    throw new NetworkConfigException("'" + value + "' is not an IP address");
  }

  /** The prefix length libvirt assumes when none is given ({@code virSocketAddrGetIPPrefix}), or -1. */
  static int naturalPrefix(InetAddress a) {
    if (a.isAnyLocalAddress()) {
      return 0;
    }
    if (a.getAddress().length == 16) {
      return 64;
    }
    int octet = a.getAddress()[0] & 0xff;
    if ((octet & 0x80) == 0) {
      return 8; // class A
    }
    if ((octet & 0xc0) == 0x80) {
      return 16; // class B
    }
    if ((octet & 0xe0) == 0xc0) {
      return 24; // class C
    }
    return -1;
  }

  /** The number of leading one bits of a contiguous netmask, or -1 if it is not one. */
  static int netmaskBits(InetAddress mask) {
    byte[] b = mask.getAddress();
    int bits = 0;
    boolean zeros = false;
    for (byte x : b) {
      for (int i = 7; i >= 0; i--) {
        boolean one = (x >> i & 1) == 1;
        if (one && zeros) {
          return -1;
        }
        if (one) {
          bits++;
        } else {
          zeros = true;
        }
      }
    }
    return bits;
  }

  static int maxPrefix(InetAddress a) {
    return a.getAddress().length * 8;
  }

  /** The text {@code ip} is given: the canonical numeric form. */
  static String format(InetAddress a) {
    return a.getHostAddress();
  }

  private static InetAddress address(byte[] bytes, String value) throws NetworkConfigException {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new NetworkConfigException("'" + value + "' is not an IP address", e);
    }
  }
}
