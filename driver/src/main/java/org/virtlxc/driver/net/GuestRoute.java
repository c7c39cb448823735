package org.virtlxc.driver.net;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import org.virtlxc.domainxml.model.InterfaceRoute;

/**
 * One {@code <interface><route address prefix|netmask gateway metric>} as it is added inside the container. As libvirt
 * does ({@code virNetDevIPRouteGetPrefix}, {@code virNetDevIPRouteGetMetric}): the destination 0.0.0.0 (or ::) with
 * prefix 0 or netmask 0.0.0.0 is the default route, otherwise a missing prefix comes from the netmask or the address's
 * natural prefix; a missing or zero metric is 1.
 */
public record GuestRoute(InetAddress destination, int prefix, InetAddress gateway, int metric) {
  public GuestRoute {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(gateway, "gateway");
    if (prefix < 0 || prefix > IpLiteral.maxPrefix(destination)) {
      throw new IllegalArgumentException("prefix " + prefix + " out of range for " + destination.getHostAddress());
    }
  }

  /** Reads one {@code <route>}; the message of a failure names the element and the offending value. */
  static GuestRoute from(InterfaceRoute r) throws NetworkConfigException {
    String where = describe(r);
    InetAddress destination;
    InetAddress gateway;
    InetAddress netmask = null;
    try {
      destination = IpLiteral.parse(r.address());
      if (r.gateway() == null) {
        throw new NetworkConfigException("missing gateway");
      }
      gateway = IpLiteral.parse(r.gateway());
      if (r.netmask() != null) {
        netmask = IpLiteral.parse(r.netmask());
      }
    } catch (NetworkConfigException e) {
      throw new NetworkConfigException(where + ": " + e.getMessage(), e);
    }
    if (gateway.getAddress().length != destination.getAddress().length) {
      throw new NetworkConfigException(where + ": gateway " + r.gateway() + " is not of the address's family");
    }
    Integer given = null;
    if (r.prefix() != null) {
      try {
        given = Integer.parseInt(r.prefix().strip());
      } catch (NumberFormatException e) {
        throw new NetworkConfigException(where + ": prefix '" + r.prefix() + "' is not a number", e);
      }
    }
    int prefix;
    if (given != null && given > 0) {
      prefix = given;
    } else if (destination.isAnyLocalAddress() && given != null) {
      prefix = 0;
    } else if (netmask != null) {
      prefix = IpLiteral.netmaskBits(netmask);
      if (prefix < 0) {
        throw new NetworkConfigException(where + ": netmask " + r.netmask() + " is not contiguous");
      }
    } else {
      prefix = IpLiteral.naturalPrefix(destination);
      if (prefix < 0) {
        throw new NetworkConfigException(where + ": unable to determine the prefix of " + r.address()
            + " (give prefix='N')");
      }
    }
    if (prefix > IpLiteral.maxPrefix(destination)) {
      throw new NetworkConfigException(where + ": prefix " + prefix + " is too long for " + r.address());
    }
    int metric = 1;
    if (r.metric() != null) {
      try {
        metric = Integer.parseInt(r.metric().strip());
      } catch (NumberFormatException e) {
        throw new NetworkConfigException(where + ": metric '" + r.metric() + "' is not a number", e);
      }
      if (metric <= 0) {
        metric = 1;
      }
    }
    return new GuestRoute(destination, prefix, gateway, metric);
  }

  /** Arguments of {@code ip route add … dev DEV}, without the {@code dev DEV}. */
  List<String> ipArgs() {
    return List.of("route", "add", IpLiteral.format(destination) + "/" + prefix, "via", IpLiteral.format(gateway),
        "metric", Integer.toString(metric));
  }

  private static String describe(InterfaceRoute r) {
    StringBuilder s = new StringBuilder("<route address='").append(r.address()).append('\'');
    if (r.prefix() != null) {
      s.append(" prefix='").append(r.prefix()).append('\'');
    }
    if (r.netmask() != null) {
      s.append(" netmask='").append(r.netmask()).append('\'');
    }
    if (r.gateway() != null) {
      s.append(" gateway='").append(r.gateway()).append('\'');
    }
    return s.append("/>").toString();
  }
}
