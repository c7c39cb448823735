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
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.virtlxc.checkpoint.CheckpointManifest;
import org.virtlxc.checkpoint.Checkpointer;
import org.virtlxc.checkpoint.DumpOptions;
import org.virtlxc.checkpoint.DumpResult;
import org.virtlxc.tests.HostNetwork.Result;

/**
 * Save and restore of domains with their own network namespace, against the real libvirtd and CRIU: the dump leaves
 * the namespace out (external), the restore gets libvirtd's new veth configured by the controller in a fresh one, and
 * the restored tree, its listening TCP server included, serves on the same MAC and addresses.
 */
class NetworkRestoreIT {
  private static final int ECHO_PORT = 7777;
  /** An echo server (one {@code cat} per connection) and a counter in /tmp/counter. */
  private static final String INIT_SCRIPT = "nc -ll -p " + ECHO_PORT + " -e /bin/cat &"
      + " i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 1; done";

  private final Checkpointer checkpointer = Checkpointer.create();
  private String name;
  private String uuid;
  private String hostDev;
  private Path work;
  private Path rootfs;
  private Path launcher;

  @BeforeEach
  void setUp() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 4);
    name = "vlxct-netrestore-" + id;
    uuid = UUID.randomUUID().toString();
    hostDev = "vlxct-nr-h" + id; // IFNAMSIZ - 1 = 15 characters leave no room for the full prefix
    work = Files.createTempDirectory(Path.of("/tmp"), "vlxct-netrestore-");
    rootfs = TestController.busyboxRoot(work.resolve("root"));
    launcher = TestController.writeLauncher(work.resolve("virt-lxc-controller"));
  }

  @AfterEach
  void tearDown() throws Exception {
    Virsh.destroyAndUndefine(name);
    checkpointer.cancelRestore(uuid);
    Files.deleteIfExists(Path.of("/run/virt-lxc/jobs").resolve(name + ".lock"));
    if (run("ip", "link", "show", "dev", hostDev).status() == 0) {
      run("ip", "link", "del", "dev", hostDev); // only if libvirtd left it: the assertions report that
    }
    TestController.deleteTree(work);
  }

  @Test
  void ethernetDomainKeepsItsMacAddressesRoutesAndTcpServerAcrossTwoSaveRestores() throws Exception {
    int net = freeSubnet();
    String hostIp = "10.252." + net + ".1";
    String guestIp = "10.252." + net + ".2";
    String mac = randomMac();
    define("<interface type='ethernet'>"
        + "<mac address='" + mac + "'/>"
        + "<source><ip address='" + hostIp + "' prefix='24'/></source>"
        + "<ip address='" + guestIp + "' prefix='24'/>"
        + "<ip address='fd52:ee:" + net + "::2' prefix='64'/>"
        + "<route address='10.251." + net + ".0' prefix='24' gateway='" + hostIp + "' metric='7'/>"
        + "<target dev='" + hostDev + "'/>"
        + "<guest dev='vlxnet0'/>"
        + "</interface>");
    Virsh.run("start", name).ok();
    String link = linkInside("vlxnet0");
    assertTrue(link.contains("link/ether " + mac), link);
    String addresses = addressesInside("vlxnet0");
    assertTrue(addresses.contains("inet " + guestIp + "/24"), addresses);
    String routes = Virsh.inside(name, "/bin/ip", "route");
    assertTrue(routes.contains("10.251." + net + ".0/24 via " + hostIp + " dev vlxnet0"), routes);
    assertEcho(guestIp, "before any dump");
    long ctl = Virsh.controllerPid(name);

    try (Socket open = connect(guestIp)) { // an established connection, kept across both restores
      assertEquals("held open\n", echo(open, "held open\n"));
      Thread.sleep(500); // the cat of each closed echo connection has ended
      String psBefore = containerPs();
      for (int round = 1; round <= 2; round++) {
        Path images = work.resolve("images-" + round);
        DumpResult dump = checkpointer.dump(name, images, DumpOptions.stop());
        System.out.println("round " + round + ": dumped in " + dump.criuTime().toMillis() + " ms");
        assertEquals("shut off", Virsh.awaitState(name, "shut off"));
        assertTrue(Files.readString(images.resolve(CheckpointManifest.FILE)).contains("netns.inode="),
            "the manifest records the external network namespace");
        assertNotEquals(0, run("ip", "link", "show", "dev", hostDev).status(), "the old veth went with the netns");
        int saved = Counter.read(rootfs);

        checkpointer.prepareRestore(images);
        long t0 = System.nanoTime();
        Virsh.run("start", name).ok();
        System.out.println("round " + round + ": virsh start (restore) took " + (System.nanoTime() - t0) / 1_000_000
            + " ms");
        long newCtl = Virsh.controllerPid(name);
        assertNotEquals(ctl, newCtl, "a new controller");
        ctl = newCtl;
        TestController.onlyChild(ctl); // the restored init; the namespace placeholder is gone
        assertEquals(normalizeLink(link), normalizeLink(linkInside("vlxnet0")), "same name, MAC, MTU, link state");
        assertEquals(addresses, addressesInside("vlxnet0"), "same addresses");
        assertEquals(routes, Virsh.inside(name, "/bin/ip", "route"), "same routes");
        assertTrue(run("ip", "-o", "addr", "show", "dev", hostDev).ok().contains("inet " + hostIp + "/24"),
            "libvirtd addressed the new host side");
        assertEquals(psBefore, containerPs(), "the same processes with the same pids");
        if (round == 1) {
          printNetworkLockLines(images.resolve("dump.log"));
          printNetworkLockLines(images.resolve("restore.log"));
        }
        int after = readCounter();
        System.out.println("round " + round + ": counter saved " + saved + ", after restore " + after);
        assertTrue(after >= saved && after <= saved + 10, "counter continues from " + saved + ": " + after);
        awaitCounterAtLeast(after + 1);

        assertEcho(guestIp, "after restore " + round); // ping, and a new connection to the restored listener
        String line = "round " + round + " on the connection opened before the dumps\n";
        assertEquals(line, echo(open, line), "the established connection carries on");
      }
    }
    Virsh.run("destroy", name).ok();
    assertNotEquals(0, run("ip", "link", "show", "dev", hostDev).status(), "no veth left after destroy");
  }

  @Test
  void defaultNetworkDomainIsRestoredOntoVirbr0WithItsAddress() throws Exception {
    String info = Virsh.run("net-info", "default").out();
    assertTrue(info.matches("(?s).*Active:\\s+yes.*") && info.contains("virbr0"),
        "libvirt's default network is active on virbr0 (scripts/setup/ensure-default-network.sh): " + info);
    String guestIp = "192.168.122." + freeHostInDefaultNetwork();
    define("<interface type='network'><source network='default'/>"
        + "<ip address='" + guestIp + "' prefix='24'/>"
        + "<route address='0.0.0.0' prefix='0' gateway='192.168.122.1'/>"
        + "</interface>");
    Virsh.run("start", name).ok();
    String link = linkInside("eth0");
    String addresses = addressesInside("eth0");
    assertTrue(addresses.contains("inet " + guestIp + "/24"), addresses);
    assertEcho(guestIp, "before the dump");

    try (Socket open = connect(guestIp)) {
      assertEquals("held open\n", echo(open, "held open\n"));
      Path images = work.resolve("images");
      checkpointer.dump(name, images, DumpOptions.stop());
      assertEquals("shut off", Virsh.awaitState(name, "shut off"));
      int saved = Counter.read(rootfs);
      checkpointer.prepareRestore(images);
      Virsh.run("start", name).ok();

      String hostSide = Virsh.run("domiflist", name).ok().out().lines().map(String::strip)
          .filter(l -> l.contains("default")).findFirst().orElseThrow().split("\\s+")[0];
      assertTrue(run("ip", "-o", "link", "show", "dev", hostSide).ok().contains("master virbr0"),
          "the new host side " + hostSide + " is on virbr0");
      assertEquals(normalizeLink(link), normalizeLink(linkInside("eth0")), "same name, MAC, link state");
      assertEquals(addresses, addressesInside("eth0"), "same addresses");
      assertTrue(Virsh.inside(name, "/bin/ip", "route").contains("default via 192.168.122.1 dev eth0"));
      int after = readCounter();
      assertTrue(after >= saved && after <= saved + 10, "counter continues from " + saved + ": " + after);
      assertEcho(guestIp, "after the restore");
      assertEquals("after the restore\n", echo(open, "after the restore\n"), "the established connection carries on");
    }
  }

  @Test
  void aCheckpointWithItsOwnNetnsIsNotRestoredIntoADomainWithoutInterfaceAndIsKept() throws Exception {
    int net = freeSubnet();
    String iface = "<interface type='ethernet'><source><ip address='10.252." + net + ".1' prefix='24'/></source>"
        + "<ip address='10.252." + net + ".2' prefix='24'/><target dev='" + hostDev + "'/></interface>";
    define(iface);
    Virsh.run("start", name).ok();
    assertEcho("10.252." + net + ".2", "before the dump");
    Path images = work.resolve("images");
    checkpointer.dump(name, images, DumpOptions.stop());
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));
    var pending = checkpointer.prepareRestore(images);

    define(""); // the same domain (UUID), now without its interface
    Virsh.Result start = Virsh.run("start", name);
    System.out.println("virsh start without the interface: status " + start.status() + "\n" + start.err());
    assertNotEquals(0, start.status());
    assertTrue(start.err().contains("unable to restore domain " + name + " from " + images + ": the checkpoint has its"
        + " own network namespace, the domain has no <interface> (nor <privnet/>, nor <lxc:sharenet>) to restore it with"),
        start.err());
    assertTrue(Files.isRegularFile(pending.marker()), "pending restore kept");
    assertEquals("shut off", Virsh.awaitState(name, "shut off"));

    define(iface); // put back: the same pending restore now succeeds
    Virsh.run("start", name).ok();
    assertEcho("10.252." + net + ".2", "after the restore");
    assertTrue(!Files.exists(pending.marker()), "marker removed after the restore");
  }

  private void assertEcho(String ip, String when) throws Exception {
    Result ping = null;
    for (int i = 0; i < 10 && (ping == null || ping.status() != 0); i++) {
      ping = run("ping", "-c", "1", "-W", "1", ip);
    }
    assertEquals(0, ping.status(), "host pings " + ip + " " + when + ": " + ping.out());
    String token = "vlxct-netrestore-" + UUID.randomUUID() + "\n";
    for (int attempt = 0; ; attempt++) {
      try (Socket s = connect(ip)) {
        assertEquals(token, echo(s, token), "a new TCP connection " + when + " echoes");
        return;
      } catch (IOException e) {
        if (attempt >= 20) {
          throw new AssertionError("no TCP echo from " + ip + ":" + ECHO_PORT + " " + when, e);
        }
        Thread.sleep(250);
      }
    }
  }

  /** How CRIU locked the network around the dump and unlocked it after the restore (a diagnosis, not asserted). */
  private static void printNetworkLockLines(Path log) throws IOException {
    System.out.println(log.getFileName() + ", network locking:");
    Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
        .filter(l -> l.matches("(?i).*(net: |network|iptables|nft|external).*"))
        .limit(40).forEach(l -> System.out.println("  " + l));
  }

  private static Socket connect(String ip) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(ip, ECHO_PORT), 2000);
      s.setSoTimeout(10000);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /** Sends {@code line} and reads back as many bytes. */
  private static String echo(Socket s, String line) throws IOException {
    byte[] sent = line.getBytes(StandardCharsets.UTF_8);
    OutputStream out = s.getOutputStream();
    out.write(sent);
    out.flush();
    InputStream in = s.getInputStream();
    byte[] got = in.readNBytes(sent.length);
    return new String(got, StandardCharsets.UTF_8);
  }

  private String linkInside(String dev) throws InterruptedException {
    return Virsh.inside(name, "/bin/ip", "-o", "link", "show", "dev", dev);
  }

  /** Without the interface indexes, which a new veth pair changes. */
  private static String normalizeLink(String link) {
    return link.strip().replaceFirst("^\\d+: ", "").replaceFirst("@if\\d+", "");
  }

  private String addressesInside(String dev) throws InterruptedException {
    return Virsh.inside(name, "/bin/ip", "-o", "addr", "show", "dev", dev).lines()
        .map(l -> l.replaceFirst("^\\d+: ", "").replace(" tentative", "")) // IPv6 DAD may not be done yet
        .filter(l -> !l.contains(" fe80:"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  private void define(String iface) throws IOException {
    String xml = "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <uuid>" + uuid + "</uuid>\n"
        + "  <memory unit='KiB'>262144</memory>\n"
        + "  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>"
        + INIT_SCRIPT.replace("&", "&amp;").replace("<", "&lt;") + "</initarg></os>\n"
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
  /** pid and command of every process in the container (ps and sleep left out). */
  private String containerPs() throws InterruptedException {
    return Virsh.inside(name, "/bin/ps", "-o", "pid,args").lines().map(String::strip)
        .filter(l -> !l.matches("\\d+ (sleep|/bin/ps) .*")).reduce("", (a, b) -> a + b + "\n");
  }

  /** The counter, read again when caught between the shell's truncation and write of /tmp/counter. */
  private int readCounter() throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      String c = Virsh.inside(name, "/bin/cat", "/tmp/counter").strip();
      if (c.matches("\\d+")) {
        return Integer.parseInt(c);
      }
      if (attempt > 20) {
        throw new AssertionError("unable to read the counter of " + name + ": '" + c + "'");
      }
      Thread.sleep(100);
    }
  }

  private void awaitCounterAtLeast(int value) throws InterruptedException {
    for (int i = 0; i < 40; i++) {
      if (readCounter() >= value) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("counter of " + name + " did not reach " + value);
  }

  /** N such that 10.252.N.0/24, 10.251.N.0/24 and fd52:ee:N::/64 are unused on the host. */
  private static int freeSubnet() {
    return HostNetwork.freeSubnet("10.252", "10.251", "fd52:ee");
  }
}
