package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtlxc.tests.HostNetwork.freeHostInDefaultNetwork;
import static org.virtlxc.tests.HostNetwork.randomMac;
import static org.virtlxc.tests.HostNetwork.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.virtlxc.tests.HostNetwork.Result;

/**
 * Container networking under virt-lxc's controller, against the real libvirtd, for interfaces of type ethernet, bridge
 * (a bridge the test makes) and network (libvirt's default): libvirtd makes the veth pair, the
 * controller moves the container end into the container and configures it, and the host reaches the container by ping
 * and TCP (an echo server, busybox {@code nc -ll -e /bin/cat}, inside).
 */
class NetworkIT {
  private static final int ECHO_PORT = 7777;
  private static final String ECHO_SERVER =
      "nc -ll -p " + ECHO_PORT + " -e /bin/cat & while :; do sleep 1; done";

  private String id;
  private String name;
  private String hostDev;
  private Path work;
  private Path rootfs;
  private Path launcher;

  @BeforeEach
  void setUp() throws Exception {
    id = UUID.randomUUID().toString().substring(0, 4);
    name = "vlxct-net-" + id;
    hostDev = "vlxct-net-h" + id; // 15 characters: IFNAMSIZ - 1
    work = Files.createTempDirectory(Path.of("/tmp"), "vlxct-net-");
    rootfs = TestController.busyboxRoot(work.resolve("root"));
    launcher = TestController.writeLauncher(work.resolve("virt-lxc-controller"));
  }

  @AfterEach
  void tearDown() throws Exception {
    Virsh.destroyAndUndefine(name);
    if (run("ip", "link", "show", "dev", hostDev).status() == 0) {
      run("ip", "link", "del", "dev", hostDev); // only if libvirtd failed to remove it: the assertions report that
    }
    TestController.deleteTree(work);
  }

  @Test
  void ethernetInterfaceIsConfiguredInsideAndReachableByPingAndTcp() throws Exception {
    int net = freeSubnet();
    String hostIp = "10.254." + net + ".1";
    String guestIp = "10.254." + net + ".2";
    String hostIp6 = "fd54:ee:" + net + "::1";
    String guestIp6 = "fd54:ee:" + net + "::2";
    String mac = randomMac();
    define(ECHO_SERVER, "<interface type='ethernet'>"
        + "<mac address='" + mac + "'/>"
        + "<source><ip address='" + hostIp + "' prefix='24'/><ip address='" + hostIp6 + "' prefix='64'/></source>"
        + "<ip address='" + guestIp + "' prefix='24'/>"
        + "<ip address='" + guestIp6 + "'/>" // no prefix: libvirt's default for IPv6 is 64
        + "<route address='10.253." + net + ".0' prefix='24' gateway='" + hostIp + "' metric='7'/>"
        + "<route address='0.0.0.0' prefix='0' gateway='" + hostIp + "'/>"
        + "<target dev='" + hostDev + "'/>"
        + "<guest dev='vlxnet0'/>"
        + "<mtu size='1400'/>"
        + "</interface>");

    Virsh.run("start", name).ok();

    String link = Virsh.inside(name, "/bin/ip", "-o", "link", "show", "dev", "vlxnet0");
    assertTrue(link.contains("link/ether " + mac), link);
    assertTrue(link.matches("(?s).*<[^>]*\\bUP\\b[^>]*>.*"), "link up: " + link);
    assertTrue(link.contains(" mtu 1400 "), link);
    String addr = Virsh.inside(name, "/bin/ip", "-o", "-4", "addr", "show", "dev", "vlxnet0");
    assertTrue(addr.contains("inet " + guestIp + "/24 brd 10.254." + net + ".255"), addr);
    String addr6 = Virsh.inside(name, "/bin/ip", "-o", "-6", "addr", "show", "dev", "vlxnet0");
    assertTrue(addr6.contains("inet6 " + guestIp6 + "/64"), addr6);
    String routes = Virsh.inside(name, "/bin/ip", "route");
    assertTrue(routes.matches("(?s).*default via " + hostIp + " dev vlxnet0\\s+metric 1\\s.*"), routes);
    assertTrue(routes.matches("(?s).*10\\.253\\." + net + "\\.0/24 via " + hostIp + " dev vlxnet0\\s+metric 7\\s.*"),
        routes);
    String links = Virsh.inside(name, "/bin/ip", "-o", "link");
    assertTrue(links.matches("(?s).*: lo: <[^>]*\\bUP\\b.*"), "loopback up: " + links);
    assertEquals(2, links.lines().count(), "only lo and vlxnet0 inside: " + links);

    String host = run("ip", "-o", "addr", "show", "dev", hostDev).ok();
    assertTrue(host.contains("inet " + hostIp + "/24"), "libvirtd addressed the host side: " + host);
    assertTrue(run("ip", "-o", "link", "show", "dev", hostDev).ok().contains(" mtu 1400 "), "host side mtu");

    assertPingAndEcho(guestIp);
    assertEquals(0, ping(guestIp6).status(), "host pings " + guestIp6 + " (IPv6)");
    assertTrue(Virsh.inside(name, "/bin/ping", "-c", "1", "-W", "3", hostIp).contains("1 packets received"),
        "container reaches the host");

    Virsh.run("destroy", name).ok();
    assertNotEquals(0, run("ip", "link", "show", "dev", hostDev).status(), "no veth left after destroy");
  }

  @Test
  void defaultNetworkInterfaceWithStaticAddressIsReachableFromTheHost() throws Exception {
    String info = Virsh.run("net-info", "default").out();
    assertTrue(info.matches("(?s).*Active:\\s+yes.*") && info.contains("virbr0"),
        "libvirt's default network is active on virbr0 (scripts/setup/ensure-default-network.sh): " + info);
    String guestIp = "192.168.122." + freeHostInDefaultNetwork();
    define(ECHO_SERVER, "<interface type='network'><source network='default'/>"
        + "<ip address='" + guestIp + "' prefix='24'/>"
        + "<route address='0.0.0.0' prefix='0' gateway='192.168.122.1'/>"
        + "</interface>");

    Virsh.run("start", name).ok();
    String iface = Virsh.run("domiflist", name).ok().out();
    System.out.println("virsh domiflist:\n" + iface);
    String hostSide = iface.lines().map(String::strip).filter(l -> l.contains("default")).findFirst().orElseThrow()
        .split("\\s+")[0];
    assertTrue(run("ip", "-o", "link", "show", "dev", hostSide).ok().contains("master virbr0"), "host side on virbr0");

    String addr = Virsh.inside(name, "/bin/ip", "-o", "-4", "addr", "show", "dev", "eth0");
    assertTrue(addr.contains("inet " + guestIp + "/24"), "libvirt's default name eth0 with the address: " + addr);
    assertTrue(Virsh.inside(name, "/bin/ip", "route").contains("default via 192.168.122.1 dev eth0"));

    assertPingAndEcho(guestIp);

    Virsh.run("destroy", name).ok();
    assertNotEquals(0, run("ip", "link", "show", "dev", hostSide).status(), "no veth left after destroy");
  }

  @Test
  void bridgeInterfaceOnAHostBridgeIsReachableFromTheHost() throws Exception {
    int net = freeSubnet();
    String bridge = "vlxct-net-b" + id;
    String hostIp = "10.254." + net + ".1";
    String guestIp = "10.254." + net + ".2";
    run("ip", "link", "add", "name", bridge, "type", "bridge").ok();
    try {
      run("ip", "addr", "add", hostIp + "/24", "dev", bridge).ok();
      run("ip", "link", "set", "dev", bridge, "up").ok();
      define(ECHO_SERVER, "<interface type='bridge'><source bridge='" + bridge + "'/>"
          + "<ip address='" + guestIp + "' prefix='24'/><target dev='" + hostDev + "'/></interface>");

      Virsh.run("start", name).ok();
      assertTrue(run("ip", "-o", "link", "show", "dev", hostDev).ok().contains("master " + bridge),
          "libvirtd put the host side on " + bridge);
      assertTrue(Virsh.inside(name, "/bin/ip", "-o", "-4", "addr", "show", "dev", "eth0").contains("inet " + guestIp + "/24"));
      assertPingAndEcho(guestIp);

      Virsh.run("destroy", name).ok();
      assertNotEquals(0, run("ip", "link", "show", "dev", hostDev).status(), "no veth left after destroy");
    } finally {
      Virsh.run("destroy", name);
      run("ip", "link", "del", "dev", bridge);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // refused while planning, before anything is launched
      "<ip address='240.0.0.5'/>"
          + "|interface 0 (eth0): <ip address='240.0.0.5'/>: unable to determine the prefix of 240.0.0.5 (give prefix='N')",
      // refused by the kernel once the veth is inside the container
      "<ip address='10.254.0.2' prefix='30'/><route address='10.9.0.0' prefix='16' gateway='10.77.0.1'/>"
          + "|unable to configure interface 0 (eth0): ip route add 10.9.0.0/16 via 10.77.0.1 metric 1 dev eth0 failed:"
          + " Error: Nexthop has invalid gateway."})
  void badInterfaceConfigFailsStartWithOneClearLineAndLeavesNoVeth(String config, String message) throws Exception {
    define("sleep 1000", "<interface type='ethernet'>" + config + "<target dev='" + hostDev + "'/></interface>");

    Virsh.Result start = Virsh.run("start", name);
    System.out.println("virsh start (bad interface): status " + start.status() + "\n" + start.err());
    assertNotEquals(0, start.status());
    assertTrue(start.err().contains("Failure in virt-lxc startup: " + message + "\n"), start.err());

    Thread.sleep(2500); // the host's pid 1 reaps the exited controller lazily
    assertNotEquals(0, run("ip", "link", "show", "dev", hostDev).status(), "no veth left");
    assertEquals(List.of(), cgroupDirs(name), "no cgroup left");
    assertTrue(Virsh.run("domstate", name).ok().out().contains("shut off"));
  }

  private void assertPingAndEcho(String ip) throws Exception {
    Result ping = ping(ip);
    assertEquals(0, ping.status(), "host pings " + ip + ": " + ping.out());

    String token = "vlxct-net-" + UUID.randomUUID() + "\n";
    String echoed = null;
    for (int attempt = 0; echoed == null; attempt++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(ip, ECHO_PORT), 2000);
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write(token.getBytes(StandardCharsets.UTF_8));
        out.flush();
        s.shutdownOutput();
        InputStream in = s.getInputStream();
        echoed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        if (attempt >= 20) {
          throw new AssertionError("no TCP echo from " + ip + ":" + ECHO_PORT, e);
        }
        Thread.sleep(250); // the echo server may not listen yet
      }
    }
    assertEquals(token, echoed, "bytes sent over TCP to the container come back");
  }

  /** The host pings {@code ip}, retrying for about 10 s (the link, or IPv6 duplicate address detection, settling). */
  private static Result ping(String ip) {
    Result ping = null;
    for (int i = 0; i < 10 && (ping == null || ping.status() != 0); i++) {
      ping = run("ping", "-c", "1", "-W", "1", ip);
    }
    System.out.println(ping.out());
    return ping;
  }

  private void define(String initScript, String iface) throws IOException {
    String xml = "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <memory unit='KiB'>262144</memory>\n"
        + "  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>"
        + initScript.replace("&", "&amp;").replace("<", "&lt;") + "</initarg></os>\n"
        + "  <devices>\n"
        + "    <emulator>" + launcher + "</emulator>\n"
        + "    <filesystem type='mount'><source dir='" + rootfs + "'/><target dir='/'/></filesystem>\n"
        + "    " + iface + "\n"
        + "    <console type='pty'/>\n"
        + "  </devices>\n"
        + "</domain>\n";
    Path file = work.resolve("domain.xml");
    Files.writeString(file, xml);
    Virsh.run("define", file.toString()).ok();
  }
  private static List<Path> cgroupDirs(String fragment) throws IOException {
    return Leftovers.cgroupDirs(List.of(fragment));
  }

  /** N such that 10.254.N.0/24, 10.253.N.0/24 and fd54:ee:N::/64 are unused on the host. */
  private static int freeSubnet() {
    return HostNetwork.freeSubnet("10.254", "10.253", "fd54:ee");
  }
}
