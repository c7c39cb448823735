package org.virtlxc.driver.net;

import java.util.ArrayList;
import java.util.List;

/** The {@code ip} commands that carry out a {@link NetworkPlan}, in order. */
public final class NetworkCommands {
  private NetworkCommands() {}

  /**
   * In the host: set the MTU of both ends, move the container end into init's network namespace ({@code netns PID}).
   * Inside: rename, bring up, add addresses, add routes; then bring up loopback.
   */
  public static List<IpCommand> of(NetworkPlan plan, long initPid) {
    List<IpCommand> cmds = new ArrayList<>();
    for (GuestInterface g : plan.interfaces()) {
      String who = g.describe();
      if (g.mtu().isPresent()) {
        String mtu = Integer.toString(g.mtu().getAsInt());
        cmds.add(IpCommand.host(who, "link", "set", "dev", g.veth(), "mtu", mtu));
        if (g.hostDev() != null) {
          cmds.add(IpCommand.host(who, "link", "set", "dev", g.hostDev(), "mtu", mtu));
        }
      }
      cmds.add(IpCommand.host(who, "link", "set", "dev", g.veth(), "netns", Long.toString(initPid)));
      if (!g.veth().equals(g.guestName())) {
        cmds.add(IpCommand.inside(who, List.of("link", "set", "dev", g.veth(), "name", g.guestName())));
      }
      if (g.up()) {
        cmds.add(IpCommand.inside(who, List.of("link", "set", "dev", g.guestName(), "up")));
      }
      for (GuestAddress a : g.addresses()) {
        cmds.add(IpCommand.inside(who, withDev(a.ipArgs(), g.guestName())));
      }
      for (GuestRoute r : g.routes()) {
        cmds.add(IpCommand.inside(who, withDev(r.ipArgs(), g.guestName())));
      }
    }
    if (plan.loopbackUp()) {
      cmds.add(IpCommand.inside("loopback", List.of("link", "set", "dev", "lo", "up")));
    }
    return List.copyOf(cmds);
  }

  private static List<String> withDev(List<String> args, String dev) {
    List<String> a = new ArrayList<>(args);
    a.add("dev");
    a.add(dev);
    return a;
  }
}
