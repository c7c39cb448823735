package org.virtlxc.driver.net;

import java.util.List;
import java.util.Objects;

/**
 * One {@code ip} invocation of the set-up.
 *
 * @param subject what it configures, for messages ({@code interface 0 (eth0)}, {@code loopback})
 * @param inContainer whether it runs in the container's network namespace rather than the host's
 * @param args the arguments after {@code ip}
 */
public record IpCommand(String subject, boolean inContainer, List<String> args) {
  public IpCommand {
    Objects.requireNonNull(subject, "subject");
    args = List.copyOf(args);
  }

  static IpCommand host(String subject, String... args) {
    return new IpCommand(subject, false, List.of(args));
  }

  static IpCommand inside(String subject, List<String> args) {
    return new IpCommand(subject, true, args);
  }

  /** {@code ip ARGS}, as messages show it. */
  @Override
  public String toString() {
    return "ip " + String.join(" ", args);
  }
}
