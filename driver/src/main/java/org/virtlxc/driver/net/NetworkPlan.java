package org.virtlxc.driver.net;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.InterfaceIp;
import org.virtlxc.domainxml.model.InterfaceRoute;
import org.virtlxc.domainxml.model.NetInterface;
import org.virtlxc.driver.VethBinding;
import org.w3c.dom.Element;

/**
 * The container's network set-up, decided before anything is launched so that a bad {@code <interface>} fails the
 * start before any work is done. libvirt_lxc's behaviour ({@code lxcContainerRenameAndEnableInterfaces}): each veth is
 * renamed to its guest name, brought up if it has an {@code <ip>} or {@code <link state='up'/>}, given its addresses
 * and then its routes; loopback is brought up when there is any interface or {@code <privnet/>}. libvirtd has already
 * set the {@code <mac>} on the container end. Beyond libvirt_lxc (which ignores it): {@code <mtu size>} is set on
 * both ends.
 *
 * @param interfaces in domain order
 * @param loopbackUp whether {@code lo} is brought up inside
 */
public record NetworkPlan(List<GuestInterface> interfaces, boolean loopbackUp) {
  /** Linux's IFNAMSIZ - 1, and no '/', ':' or white space. */
  private static final Pattern IFNAME = Pattern.compile("[^/:\\s]{1,15}");

  public NetworkPlan {
    interfaces = List.copyOf(interfaces);
  }

  /** True when there is nothing to do. */
  public boolean isEmpty() {
    return interfaces.isEmpty() && !loopbackUp;
  }

  /** Plans the set-up of {@code veths} (from {@code ControllerArgs.bindVeths}) in {@code domain}. */
  public static NetworkPlan of(Domain domain, List<VethBinding> veths) throws NetworkConfigException {
    List<GuestInterface> planned = new ArrayList<>(veths.size());
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < veths.size(); i++) {
      VethBinding b = veths.get(i);
      GuestInterface g = plan(i, b);
      Integer other = names.putIfAbsent(g.guestName(), i);
      if (other != null) {
        throw new NetworkConfigException("interfaces " + other + " and " + i + " are both named '" + g.guestName()
            + "' inside the container (<guest dev>)");
      }
      planned.add(g);
    }
    boolean privnet = domain.features() != null && domain.features().privnet() != null;
    return new NetworkPlan(planned, !planned.isEmpty() || privnet);
  }

  private static GuestInterface plan(int index, VethBinding b) throws NetworkConfigException {
    NetInterface iface = b.iface();
    String where = "interface " + index + " (" + b.guestName() + ")";
    if (!IFNAME.matcher(b.guestName()).matches()) {
      throw new NetworkConfigException(where + ": <guest dev='" + b.guestName()
          + "'> is not a valid device name (1 to 15 characters, no '/', ':' or spaces)");
    }
    List<GuestAddress> addresses = new ArrayList<>();
    for (InterfaceIp ip : iface.ips()) {
      try {
        addresses.add(GuestAddress.from(ip));
      } catch (NetworkConfigException e) {
        throw new NetworkConfigException(where + ": " + e.getMessage(), e);
      }
    }
    List<GuestRoute> routes = new ArrayList<>();
    for (InterfaceRoute r : iface.routes()) {
      try {
        routes.add(GuestRoute.from(r));
      } catch (NetworkConfigException e) {
        throw new NetworkConfigException(where + ": " + e.getMessage(), e);
      }
    }
    boolean up = !addresses.isEmpty() || iface.link() != null && "up".equals(iface.link().state());
    String hostDev = iface.target() == null ? null : iface.target().dev();
    return new GuestInterface(index, b.veth(), hostDev, b.guestName(), up, mtu(iface, where), addresses, routes);
  }

  private static OptionalInt mtu(NetInterface iface, String where) throws NetworkConfigException {
    for (Element e : iface.otherElements()) {
      String local = e.getLocalName() != null ? e.getLocalName() : e.getTagName();
      if (!"mtu".equals(local)) {
        continue;
      }
      String size = e.getAttribute("size");
      String bad = where + ": <mtu size='" + size + "'/> is not an MTU (68 to 65535)";
      int n;
      try {
        n = Integer.parseInt(size.strip());
      } catch (NumberFormatException ex) {
        throw new NetworkConfigException(bad, ex);
      }
      if (n < 68 || n > 65535) {
        throw new NetworkConfigException(bad);
      }
      return OptionalInt.of(n);
    }
    return OptionalInt.empty();
  }
}
