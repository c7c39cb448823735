package org.virtlxc.driver.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.driver.ControllerArgs;

class NetworkPlanTest {

  /** A domain with the given {@code <interface>} elements (and optionally features), as libvirtd's status XML has it. */
  private static Domain domain(String features, String... interfaces) throws Exception {
    String xml = "<domain type='lxc'><name>n</name><memory>65536</memory><os><type>exe</type><init>/bin/sh</init></os>"
        + features + "<devices>" + String.join("", interfaces) + "<console type='pty'/></devices></domain>";
    return DomainXml.parse(xml, "test.xml");
  }

  private static NetworkPlan plan(Domain d, String... veths) throws Exception {
    List<String> argv = new ArrayList<>(List.of("--name", "n", "--console", "26", "--handshakefds", "3:4"));
    for (String v : veths) {
      argv.addAll(List.of("--veth", v));
    }
    ControllerArgs args = ControllerArgs.parse(argv.toArray(String[]::new));
    return NetworkPlan.of(d, args.bindVeths(d));
  }

  private static List<String> commands(NetworkPlan p) {
    return NetworkCommands.of(p, 4242).stream().map(c -> (c.inContainer() ? "in: " : "host: ") + c).toList();
  }

  @Test
  void ethernetInterfaceIsMovedRenamedAddressedAndRoutedLikeLibvirtLxc() throws Exception {
    Domain d = domain("", "<interface type='ethernet'><mac address='52:54:00:aa:bb:01'/>"
        + "<ip address='10.254.1.2' prefix='24'/><ip address='fd00:254::2' prefix='64'/>"
        + "<route address='0.0.0.0' prefix='0' gateway='10.254.1.1'/>"
        + "<route address='10.9.0.0' netmask='255.255.0.0' gateway='10.254.1.1' metric='5'/>"
        + "<target dev='vlxct-h0'/><guest dev='lan0' actual='vnet0'/><mtu size='1400'/></interface>");
    NetworkPlan p = plan(d, "vnet0");
    assertEquals(List.of(
        "host: ip link set dev vnet0 mtu 1400",
        "host: ip link set dev vlxct-h0 mtu 1400",
        "host: ip link set dev vnet0 netns 4242",
        "in: ip link set dev vnet0 name lan0",
        "in: ip link set dev lan0 up",
        "in: ip addr add 10.254.1.2/24 broadcast + dev lan0",
        "in: ip addr add fd00:254:0:0:0:0:0:2/64 dev lan0",
        "in: ip route add 0.0.0.0/0 via 10.254.1.1 metric 1 dev lan0",
        "in: ip route add 10.9.0.0/16 via 10.254.1.1 metric 5 dev lan0",
        "in: ip link set dev lo up"), commands(p));
  }

  @Test
  void statusXmlAsLibvirtd90WritesItIsPlannedWithTheVethsInArgvOrder() throws Exception {
    String xml;
    try (InputStream in = NetworkPlanTest.class.getResourceAsStream("/domstatus-libvirtd90-nets.xml")) {
      xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Domain d = DomainXml.parseStatus(xml, "domstatus-libvirtd90-nets.xml").domain();
    NetworkPlan p = plan(d, "vnet0", "vnet2");
    assertEquals(List.of(
        "host: ip link set dev vnet0 mtu 1400",
        "host: ip link set dev vlxct-net-h0 mtu 1400",
        "host: ip link set dev vnet0 netns 4242",
        "in: ip link set dev vnet0 name vnet-in",
        "in: ip link set dev vnet-in up",
        "in: ip addr add 10.254.1.2/24 broadcast + dev vnet-in",
        "in: ip route add 0.0.0.0/0 via 10.254.1.1 metric 1 dev vnet-in",
        "host: ip link set dev vnet2 netns 4242",
        "in: ip link set dev vnet2 name eth0",
        "in: ip link set dev eth0 up",
        "in: ip addr add 192.168.122.250/24 broadcast + dev eth0",
        "in: ip link set dev lo up"), commands(p));
  }

  @Test
  void withoutAddressOrLinkUpTheDeviceStaysDownAndUnnamedOnesAreEthN() throws Exception {
    Domain d = domain("",
        "<interface type='network'><source network='default'/><guest dev='web'/></interface>",
        "<interface type='network'><source network='default'/><link state='up'/></interface>",
        "<interface type='bridge'><source bridge='br0'/></interface>");
    NetworkPlan p = plan(d, "vnet1", "vnet3", "vnet5");
    assertEquals(List.of("web", "eth0", "eth1"), p.interfaces().stream().map(GuestInterface::guestName).toList());
    assertEquals(List.of(false, true, false), p.interfaces().stream().map(GuestInterface::up).toList());
    assertEquals(OptionalInt.empty(), p.interfaces().get(0).mtu());
    assertTrue(commands(p).contains("in: ip link set dev eth0 up"));
    assertFalse(commands(p).contains("in: ip link set dev web up"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.1.2.3||10.1.2.3/8 broadcast +",
      "172.16.0.9||172.16.0.9/16 broadcast +",
      "192.168.122.7|0|192.168.122.7/24 broadcast +",
      "fd00::7||fd00:0:0:0:0:0:0:7/64",
      "10.0.0.1|32|10.0.0.1/32 broadcast +"})
  void missingPrefixIsTheNaturalOneAsInLibvirt(String address, String prefix, String expected) throws Exception {
    String p = prefix == null ? "" : " prefix='" + prefix + "'";
    NetworkPlan plan = plan(domain("", "<interface type='ethernet'><ip address='" + address + "'" + p + "/></interface>"),
        "v0");
    assertEquals("ip addr add " + expected + " dev eth0", NetworkCommands.of(plan, 1).get(3).toString());
  }

  @Test
  void peerAddressIsPointToPoint() throws Exception {
    NetworkPlan plan = plan(domain("",
        "<interface type='ethernet'><ip address='10.0.0.2' prefix='32' peer='10.0.0.1'/></interface>"), "v0");
    assertEquals("ip addr add 10.0.0.2/32 peer 10.0.0.1 dev eth0", NetworkCommands.of(plan, 1).get(3).toString());
  }

  @Test
  void privnetAloneBringsUpLoopbackAndNothingElse() throws Exception {
    NetworkPlan plan = plan(domain("<features><privnet/></features>"));
    assertEquals(List.of("in: ip link set dev lo up"), commands(plan));
    assertTrue(plan(domain("")).isEmpty());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "<ip address='240.0.0.5'/>|interface 0 (eth0): <ip address='240.0.0.5'/>: unable to determine the prefix of 240.0.0.5 (give prefix='N')",
      "<ip address='10.0.0.999' prefix='8'/>|interface 0 (eth0): <ip address='10.0.0.999' prefix='8'/>: '10.0.0.999' is not an IP address",
      "<ip address='host.example' prefix='8'/>|interface 0 (eth0): <ip address='host.example' prefix='8'/>: 'host.example' is not an IP address",
      "<ip address='10.0.0.2' prefix='33'/>|interface 0 (eth0): <ip address='10.0.0.2' prefix='33'/>: prefix 33 is too long for 10.0.0.2",
      "<ip address='10.0.0.2' prefix='8' peer='fd00::1'/>|interface 0 (eth0): <ip address='10.0.0.2' prefix='8' peer='fd00::1'/>: peer fd00::1 is not of the address's family",
      "<route address='10.9.0.0' netmask='255.0.255.0' gateway='10.0.0.1'/>|interface 0 (eth0): <route address='10.9.0.0' netmask='255.0.255.0' gateway='10.0.0.1'/>: netmask 255.0.255.0 is not contiguous",
      "<route address='10.9.0.0' prefix='16' gateway='fd00::1'/>|interface 0 (eth0): <route address='10.9.0.0' prefix='16' gateway='fd00::1'/>: gateway fd00::1 is not of the address's family",
      "<guest dev='a-name-far-too-long'/>|interface 0 (a-name-far-too-long): <guest dev='a-name-far-too-long'> is not a valid device name (1 to 15 characters, no '/', ':' or spaces)",
      "<mtu size='12'/>|interface 0 (eth0): <mtu size='12'/> is not an MTU (68 to 65535)"})
  void badConfigFailsWithOneLineNamingInterfaceAndValue(String element, String message) throws Exception {
    Domain d = domain("", "<interface type='ethernet'>" + element + "</interface>");
    NetworkConfigException e = assertThrows(NetworkConfigException.class, () -> plan(d, "v0"));
    assertEquals(message, e.getMessage());
  }

  @Test
  void twoInterfacesWithOneGuestNameAreRefused() throws Exception {
    Domain d = domain("", "<interface type='ethernet'><guest dev='eth0'/></interface>",
        "<interface type='ethernet'/>");
    NetworkConfigException e = assertThrows(NetworkConfigException.class, () -> plan(d, "v0", "v1"));
    assertEquals("interfaces 0 and 1 are both named 'eth0' inside the container (<guest dev>)", e.getMessage());
  }

  @Test
  void setupRunsInsideThroughNsenterAndStopsAtTheFirstFailureNamingInterfaceAndCommand() throws Exception {
    NetworkPlan plan = plan(domain("", "<interface type='ethernet'><ip address='10.254.1.2' prefix='24'/>"
        + "<route address='10.9.0.0' prefix='16' gateway='10.77.0.1'/></interface>"), "vnet0");
    List<List<String>> ran = new ArrayList<>();
    NetworkSetup setup = new NetworkSetup((argv, timeout) -> {
      ran.add(argv);
      boolean route = argv.contains("route");
      return new NetworkSetup.CommandRunner.Result(route ? 2 : 0, route ? "Error: Nexthop has invalid gateway.\n" : "");
    }, "/sbin/ip", "/bin/nsenter");
    NetworkConfigException e = assertThrows(NetworkConfigException.class, () -> setup.apply(plan, 77));
    assertEquals("unable to configure interface 0 (eth0): ip route add 10.9.0.0/16 via 10.77.0.1 metric 1 dev eth0"
        + " failed: Error: Nexthop has invalid gateway.", e.getMessage());
    assertEquals(List.of("/sbin/ip", "link", "set", "dev", "vnet0", "netns", "77"), ran.get(0));
    assertEquals(List.of("/bin/nsenter", "--target", "77", "--net", "--", "/sbin/ip", "link", "set", "dev", "vnet0",
        "name", "eth0"), ran.get(1));
    assertEquals(5, ran.size(), "nothing after the failing route");
  }

  @Test
  void aRunnerThatCannotStartTheProgramIsReportedWithTheCommand() throws Exception {
    NetworkPlan plan = plan(domain("<features><privnet/></features>"));
    NetworkSetup setup = new NetworkSetup((argv, timeout) -> {
      throw new IOException("Cannot run program \"/bin/nsenter\": error=2");
    }, "/sbin/ip", "/bin/nsenter");
    NetworkConfigException e = assertThrows(NetworkConfigException.class, () -> setup.apply(plan, 77));
    assertEquals("unable to configure loopback: ip link set dev lo up: Cannot run program \"/bin/nsenter\": error=2",
        e.getMessage());
  }
}
