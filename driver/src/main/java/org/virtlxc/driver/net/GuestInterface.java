package org.virtlxc.driver.net;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How one container-side veth is set up.
 *
 * @param index position of its {@code <interface>} in the domain (for messages)
 * @param veth the name libvirtd gave it ({@code --veth}), in the host's namespace until it is moved
 * @param hostDev the host-side peer ({@code <target dev>}), or null if the status XML does not name it
 * @param guestName its name inside the container
 * @param up whether it is brought up: it has addresses or {@code <link state='up'/>}, as in libvirt_lxc
 * @param mtu {@code <mtu size>}, set on both ends of the pair
 */
public record GuestInterface(int index, String veth, String hostDev, String guestName, boolean up, OptionalInt mtu,
    List<GuestAddress> addresses, List<GuestRoute> routes) {
  public GuestInterface {
    Objects.requireNonNull(veth, "veth");
    Objects.requireNonNull(guestName, "guestName");
    Objects.requireNonNull(mtu, "mtu");
    addresses = List.copyOf(addresses);
    routes = List.copyOf(routes);
  }

  /** {@code interface N (NAME)}, as messages name it. */
  public String describe() {
    return "interface " + index + " (" + guestName + ")";
  }
}
