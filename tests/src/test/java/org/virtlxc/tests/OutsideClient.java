package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A TCP client outside both hosts of a {@link TwoHosts}, on one layer-2 segment with a container on either host, so
 * that the container keeps its address wherever it runs:
 *
 * <pre>
 *   netns ID-sw: bridge vlxct-mmsw (10.248.N.1/24) ─┬─ vlxct-mm-a ═ vlxct-mmup ─ a: bridge vlxct-mmbr ─ container
 *                                                  └─ vlxct-mm-b ═ vlxct-mmup ─ b: bridge vlxct-mmbr ─ container
 * </pre>
 *
 * The bridges learn no addresses ({@code ageing_time 0}: every frame goes to every port), so frames for the container
 * reach whichever host has it, right after it moved. The client is busybox {@code nc} in the switch's namespace,
 * holding one connection to the container's echo server. {@link #close()} ends the client and removes the namespace
 * (and so the veths) and the hosts' bridges.
 */
final class OutsideClient implements AutoCloseable {
  /** The bridge a container's {@code <interface type='bridge'>} names, on each host. */
  static final String HOST_BRIDGE = "vlxct-mmbr";
  /** The port of the container's echo server. */
  static final int ECHO_PORT = 7007;
  private static final String SWITCH = "vlxct-mmsw";
  private static final String UPLINK = "vlxct-mmup";

  private final TwoHosts hosts;
  private final String netns;
  private final String subnet;
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  private Process nc;
  private OutputStream toServer;

  private OutsideClient(TwoHosts hosts, String subnet) {
    this.hosts = hosts;
    this.netns = hosts.id() + "-sw";
    this.subnet = subnet;
  }

  /** Makes the switch, its links to both hosts and their bridges; removes what it made if that fails. */
  static OutsideClient create(TwoHosts hosts) {
    OutsideClient c = new OutsideClient(hosts, "10.248." + HostNetwork.freeSubnet("10.248", "10.248", "fd48:ee"));
    try {
      HostNetwork.run("ip", "netns", "add", c.netns).ok();
      c.ip("link", "set", "lo", "up");
      c.ip("link", "add", SWITCH, "type", "bridge", "ageing_time", "0");
      c.ip("addr", "add", c.subnet + ".1/24", "dev", SWITCH);
      c.ip("link", "set", SWITCH, "up");
      for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
        String port = "vlxct-mm-" + h.name().substring(h.name().length() - 1);
        c.ip("link", "add", port, "type", "veth", "peer", "name", UPLINK, "netns", h.name());
        c.ip("link", "set", port, "master", SWITCH, "up");
        HostNetwork.run("ip", "-n", h.name(), "link", "add", HOST_BRIDGE, "type", "bridge", "ageing_time", "0").ok();
        HostNetwork.run("ip", "-n", h.name(), "link", "set", UPLINK, "master", HOST_BRIDGE, "up").ok();
        HostNetwork.run("ip", "-n", h.name(), "link", "set", HOST_BRIDGE, "up").ok();
      }
      return c;
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  /** The container's address on the segment. */
  String guestIp() {
    return subnet + ".2";
  }

  /**
   * Connects to the echo server ({@link #guestIp()}, {@link #ECHO_PORT}) and checks one exchange; retried while the
   * server does not listen yet (nc ends on a refused connection), for about 30 s.
   */
  void connect() throws Exception {
    for (int attempt = 0; ; attempt++) {
      nc = new ProcessBuilder("ip", "netns", "exec", netns, "busybox", "nc", guestIp(), Integer.toString(ECHO_PORT))
          .redirectErrorStream(true).start();
      toServer = nc.getOutputStream();
      Thread reader = new Thread(() -> copy(nc.getInputStream()), "outside-client-reader");
      reader.setDaemon(true);
      reader.start();
      String hello = "hello-" + attempt;
      try {
        exchange(hello);
        return;
      } catch (AssertionError | IOException e) {
        nc.destroyForcibly();
        nc.waitFor(5, TimeUnit.SECONDS);
        if (attempt == 30) {
          throw new AssertionError("no echo server on " + guestIp() + ":" + ECHO_PORT + ": " + text(), e);
        }
        Thread.sleep(1000);
      }
    }
  }

  /** Sends {@code word} and a newline on the connection; fails unless it comes back within 30 s on it. */
  void exchange(String word) throws Exception {
    if (!nc.isAlive()) {
      throw new AssertionError("the client's connection is gone (nc ended): " + text());
    }
    toServer.write((word + "\n").getBytes(StandardCharsets.US_ASCII));
    toServer.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long t0 = System.nanoTime();
    while (!text().contains(word + "\n")) {
      if (!nc.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("no echo of " + word + " (nc " + (nc.isAlive() ? "runs" : "ended") + "): "
            + text());
      }
      Thread.sleep(50);
    }
    System.out.println("outside client: " + word + " echoed after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  /** The client's one established TCP connection ({@code ss}: local and peer address and port). */
  String established() {
    String out = HostNetwork.run("ip", "netns", "exec", netns, "ss", "-Htn", "state", "established").ok();
    List<String> lines = out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    assertEquals(1, lines.size(), "one established connection in " + netns + ": " + out);
    return lines.get(0).replaceAll("\\s+", " ").replaceFirst("^\\d+ \\d+ ", ""); // without the queue sizes
  }

  @Override
  public void close() {
    if (nc != null) {
      nc.destroyForcibly();
      try {
        nc.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
      HostNetwork.run("ip", "-n", h.name(), "link", "del", HOST_BRIDGE);
    }
    HostNetwork.run("ip", "netns", "del", netns);
  }

  private void ip(String... args) {
    String[] c = new String[args.length + 3];
    c[0] = "ip";
    c[1] = "-n";
    c[2] = netns;
    System.arraycopy(args, 0, c, 3, args.length);
    HostNetwork.run(c).ok();
  }

  private void copy(InputStream in) {
    byte[] buf = new byte[512];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        synchronized (seen) {
          seen.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // nc ended
    }
  }

  private String text() {
    synchronized (seen) {
      return seen.toString(StandardCharsets.UTF_8);
    }
  }
}
