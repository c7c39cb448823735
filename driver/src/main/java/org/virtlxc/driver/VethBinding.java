package org.virtlxc.driver;

import java.util.Objects;
import org.virtlxc.domainxml.model.NetInterface;

/**
 * One {@code --veth} name matched to its {@code <interface>}: {@code guestName} is the name it gets inside the
 * container ({@code <guest dev>}, or {@code ethN}, N counting the interfaces without
 * one, as libvirtd defaults it).
 */
public record VethBinding(String veth, NetInterface iface, String guestName) {
  public VethBinding {
    Objects.requireNonNull(veth, "veth");
    Objects.requireNonNull(iface, "iface");
    Objects.requireNonNull(guestName, "guestName");
  }
}
