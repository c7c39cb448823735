package org.virtlxc.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.model.Domain;

class ControllerArgsTest {

  @Test
  void parsesTheExactArgvOfLibvirtd90() throws Exception {
    ControllerArgs args =
        ControllerArgs.parse("--name", "demo", "--console", "26", "--security=none", "--handshakefds", "33:32");
    assertEquals(new ControllerArgs("demo", List.of(26), List.of(), Map.of(), "none", 33, 32, List.of()), args);
  }

  @Test
  void parsesTheFullArgvInLibvirtdsOrder() throws Exception {
    ControllerArgs args = ControllerArgs.parse(
        "--name", "web", "--console", "26", "--console", "27", "--passfd", "40", "--passfd", "41",
        "--share-net", "50", "--share-ipc", "51", "--share-uts", "52", "--security=selinux",
        "--handshakefds", "33:32", "--veth", "vnet0p", "--veth", "vnet1p");
    assertEquals("web", args.name());
    assertEquals(List.of(26, 27), args.consoleFds());
    assertEquals(List.of(40, 41), args.passFds());
    assertEquals(OptionalInt.of(50), args.sharedNamespaceFd(SharedNamespace.NET));
    assertEquals(OptionalInt.of(51), args.sharedNamespaceFd(SharedNamespace.IPC));
    assertEquals(OptionalInt.of(52), args.sharedNamespaceFd(SharedNamespace.UTS));
    assertEquals("selinux", args.securityModel());
    assertEquals(33, args.handshakeReadFd());
    assertEquals(32, args.handshakeWriteFd());
    assertEquals(List.of("vnet0p", "vnet1p"), args.veths());
  }

  static Stream<Arguments> equivalentSpellings() {
    ControllerArgs expected =
        new ControllerArgs("demo", List.of(26), List.of(7), Map.of(SharedNamespace.NET, 9), "none", 33, 32,
            List.of("v0"));
    return Stream.of(
        Arguments.of(expected, new String[] {"-n", "demo", "-c", "26", "-p", "7", "-N", "9", "-s", "33:32", "-v", "v0"}),
        Arguments.of(expected, new String[] {"-ndemo", "-c26", "-p7", "-N9", "-s33:32", "-vv0", "-Snone"}),
        Arguments.of(expected, new String[] {"--name=demo", "--console=26", "--passfd=7", "--share-net=9",
            "--handshakefds=33:32", "--veth=v0", "--security", "none"}),
        // getopt_long takes unambiguous prefixes
        Arguments.of(expected, new String[] {"--na", "demo", "--con", "26", "--pa", "7", "--share-n", "9",
            "--hand", "33:32", "--ve", "v0", "--sec=none"}),
        // options in any order; security defaults to none
        Arguments.of(expected, new String[] {"--veth", "v0", "--handshakefds", "33:32", "--share-net", "9",
            "--passfd", "7", "--console", "26", "--name", "demo"}),
        // last occurrence of a single-valued option wins, as with getopt
        Arguments.of(expected, new String[] {"--name", "other", "--name", "demo", "-c", "26", "-p", "7",
            "-N", "9", "-s", "1:2", "-s", "33:32", "-v", "v0", "--"}));
  }

  @ParameterizedTest
  @MethodSource("equivalentSpellings")
  void acceptsEveryGetoptSpelling(ControllerArgs expected, String[] argv) throws Exception {
    assertEquals(expected, ControllerArgs.parse(argv));
  }

  static Stream<Arguments> badCommandLines() {
    return Stream.of(
        Arguments.of(new String[] {"--handshakefds", "33:32"}, "missing --name argument for configuration"),
        Arguments.of(new String[] {"--name", "demo"}, "missing --handshakefds argument"),
        Arguments.of(new String[] {"--name", "demo", "--handshakefds", "33"},
            "malformed --handshakefds argument '33' (expected R:W)"),
        Arguments.of(new String[] {"--name", "demo", "--handshakefds", "33:32:1"},
            "malformed --handshakefds argument '33:32:1' (expected R:W)"),
        Arguments.of(new String[] {"--name", "demo", "--handshakefds", "a:32"},
            "malformed --handshakefds argument 'a:32' (expected R:W)"),
        Arguments.of(new String[] {"--name", "demo", "--console", "x1", "-s", "3:4"},
            "malformed --console argument 'x1'"),
        Arguments.of(new String[] {"--name", "demo", "--console", "-1", "-s", "3:4"},
            "malformed --console argument '-1'"),
        Arguments.of(new String[] {"--name", "demo", "--passfd", "", "-s", "3:4"}, "malformed --passfd argument ''"),
        Arguments.of(new String[] {"--name", "demo", "--share-ipc", "99999999999", "-s", "3:4"},
            "malformed --share-ipc argument '99999999999'"),
        Arguments.of(new String[] {"--name", "demo", "--share-uts=u", "-s", "3:4"},
            "malformed --share-uts argument 'u'"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "--bogus"}, "unrecognized option '--bogus'"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "-x"}, "unrecognized option '-x'"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "-d"}, "unrecognized option '-d'"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "--s", "1"}, "option '--s' is ambiguous"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "--share", "1"}, "option '--share' is ambiguous"),
        Arguments.of(new String[] {"--name", "demo", "-s"}, "option '-s' requires an argument"),
        Arguments.of(new String[] {"-s", "3:4", "--name"}, "option '--name' requires an argument"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "--help=yes"},
            "option '--help' doesn't allow an argument"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "stray"}, "unexpected argument 'stray'"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "--", "stray"}, "unexpected argument 'stray'"),
        Arguments.of(new String[] {"--name", "", "-s", "3:4"}, "malformed --name argument '': not a domain name"),
        Arguments.of(new String[] {"--name", "a/b", "-s", "3:4"}, "malformed --name argument 'a/b': not a domain name"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "--security="}, "--security needs a non-empty value"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "--background"},
            "--background is not supported: libvirtd daemonizes the controller itself and records its pid"),
        Arguments.of(new String[] {"--name", "demo", "-s", "3:4", "--back"},
            "--background is not supported: libvirtd daemonizes the controller itself and records its pid"),
        Arguments.of(new String[] {"-b", "--name", "demo", "-s", "3:4"},
            "--background is not supported: libvirtd daemonizes the controller itself and records its pid"));
  }

  @ParameterizedTest
  @MethodSource("badCommandLines")
  void rejectsWithOneClearLine(String[] argv, String message) {
    ControllerArgsException e = assertThrows(ControllerArgsException.class, () -> ControllerArgs.parse(argv));
    assertFalse(e instanceof HelpRequestedException);
    assertEquals(message, e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void helpIsAskedForInBothSpellings() {
    assertInstanceOf(HelpRequestedException.class, assertThrows(ControllerArgsException.class,
        () -> ControllerArgs.parse("--help")));
    assertInstanceOf(HelpRequestedException.class, assertThrows(ControllerArgsException.class,
        () -> ControllerArgs.parse("--name", "demo", "-h")));
    String usage = ControllerArgs.usage("virt-lxc-controller");
    assertTrue(usage.contains("syntax: virt-lxc-controller [OPTIONS]"));
    assertTrue(usage.contains("-s FD:FD, --handshakefds FD:FD (read:write)"));
  }

  @Test
  void recordIsImmutable() throws Exception {
    ControllerArgs args = ControllerArgs.parse("-n", "demo", "-s", "3:4", "-v", "a");
    assertThrows(UnsupportedOperationException.class, () -> args.veths().add("b"));
    assertThrows(UnsupportedOperationException.class, () -> args.sharedNamespaces().put(SharedNamespace.NET, 1));
  }

  @Test
  void validatesCountsAgainstTheDomainLikeLibvirt() throws Exception {
    Domain domain = twoNicDomain();
    ControllerArgs ok = ControllerArgs.parse("--name", "demo", "--console", "26", "--security=none",
        "--handshakefds", "33:32", "--veth", "vnet0p", "--veth", "vnet1p");
    ok.validateAgainst(domain);

    ControllerArgs oneVeth = ControllerArgs.parse("--name", "demo", "--console", "26", "-s", "33:32", "-v", "x");
    assertEquals("expecting 2 veths, but got 1",
        assertThrows(ControllerArgsException.class, () -> oneVeth.validateAgainst(domain)).getMessage());

    ControllerArgs twoConsoles =
        ControllerArgs.parse("--name", "demo", "-c", "26", "-c", "27", "-s", "33:32", "-v", "a", "-v", "b");
    assertEquals("expecting 1 consoles, but got 2 tty file handles",
        assertThrows(ControllerArgsException.class, () -> twoConsoles.validateAgainst(domain)).getMessage());
  }

  @Test
  void bindsVethsToInterfacesByOrder() throws Exception {
    ControllerArgs args = ControllerArgs.parse("--name", "demo", "--console", "26", "-s", "33:32",
        "--veth", "vnet0p", "--veth", "vnet1p");
    List<VethBinding> bindings = args.bindVeths(twoNicDomain());
    assertEquals(2, bindings.size());
    assertEquals("vnet0p", bindings.get(0).veth());
    assertEquals("lan", bindings.get(0).guestName());
    assertEquals("vnet0", bindings.get(0).iface().target().dev());
    assertEquals("vnet1p", bindings.get(1).veth());
    assertEquals("eth0", bindings.get(1).guestName()); // no <guest>: ethN, N counting only the unnamed ones
    assertEquals("vnet1", bindings.get(1).iface().target().dev());
  }

  static Domain twoNicDomain() throws Exception {
    try (InputStream in = ControllerArgsTest.class.getResourceAsStream("/domstatus-two-nics.xml")) {
      String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return DomainXml.parseStatus(xml, "domstatus-two-nics.xml").domain();
    }
  }
}
