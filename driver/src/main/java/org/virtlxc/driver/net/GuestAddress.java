package org.virtlxc.driver.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.virtlxc.domainxml.model.InterfaceIp;

/**
 * One {@code <interface><ip address prefix peer>} as it is added inside the container. As libvirt does
 * ({@code virNetDevIPInfoAddToDev}), a missing or zero prefix means the address's natural one (class A/B/C for IPv4,
 * 64 for IPv6), and an IPv4 address without a peer gets the subnet's broadcast address.
 *
 * @param peer the point-to-point peer, or null
 */
public record GuestAddress(InetAddress address, int prefix, InetAddress peer) {
  public GuestAddress {
    Objects.requireNonNull(address, "address");
    if (prefix < 0 || prefix > IpLiteral.maxPrefix(address)) {
      throw new IllegalArgumentException("prefix " + prefix + " out of range for " + address.getHostAddress());
    }
  }

  /** Reads one {@code <ip>}; the message of a failure names the element and the offending value. */
  static GuestAddress from(InterfaceIp ip) throws NetworkConfigException {
    String where = describe(ip);
    InetAddress address;
    InetAddress peer = null;
    try {
      address = IpLiteral.parse(ip.address());
      if (ip.peer() != null) {
        peer = IpLiteral.parse(ip.peer());
      }
    } catch (NetworkConfigException e) {
      throw new NetworkConfigException(where + ": " + e.getMessage(), e);
    }
    int prefix = 0;
    if (ip.prefix() != null) {
      try {
        prefix = Integer.parseInt(ip.prefix().strip());
      } catch (NumberFormatException e) {
        throw new NetworkConfigException(where + ": prefix '" + ip.prefix() + "' is not a number", e);
      }
    }
    if (prefix <= 0) {
      prefix = IpLiteral.naturalPrefix(address);
      if (prefix < 0) {
        throw new NetworkConfigException(where + ": unable to determine the prefix of " + ip.address()
            + " (give prefix='N')");
      }
    }
    if (prefix > IpLiteral.maxPrefix(address)) {
      throw new NetworkConfigException(where + ": prefix " + prefix + " is too long for " + ip.address());
    }
    if (peer != null && peer.getAddress().length != address.getAddress().length) {
      throw new NetworkConfigException(where + ": peer " + ip.peer() + " is not of the address's family");
    }
    return new GuestAddress(address, prefix, peer);
  }

  /** Arguments of {@code ip addr add … dev DEV}, without the {@code dev DEV}. */
  List<String> ipArgs() {
    List<String> a = new ArrayList<>(List.of("addr", "add", IpLiteral.format(address) + "/" + prefix));
    if (peer != null) {
      a.addAll(List.of("peer", IpLiteral.format(peer)));
    } else if (address.getAddress().length == 4) {
      a.addAll(List.of("broadcast", "+"));
    }
    return a;
  }

  private static String describe(InterfaceIp ip) {
    StringBuilder s = new StringBuilder("<ip address='").append(ip.address()).append('\'');
    if (ip.prefix() != null) {
      s.append(" prefix='").append(ip.prefix()).append('\'');
    }
    if (ip.peer() != null) {
      s.append(" peer='").append(ip.peer()).append('\'');
    }
    return s.append("/>").toString();
  }
}
