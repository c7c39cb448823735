package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TwoHosts} with real components: the same domain (name and uuid) runs under this build's controller on both
 * simulated hosts at once, each host's libvirtd seeing only its own; the hosts reach each other over their veth pair
 * and a container from its own host's network namespace only; {@code virt-lxc save} on one host and
 * {@code virt-lxc restore} of the same file on the other moves a running domain (migration by file), both ways; and
 * {@link TwoHosts#close()} leaves nothing behind.
 */
class TwoHostsIT {
  private static final String PREFIX = "vlxct-twohost-";
  private static final String COUNTER_LOOP = Counter.LOOP;
  private static final int ECHO_PORT = 7007;
  private static TwoHosts hosts;

  @BeforeAll
  static void setUp() throws Exception {
    TestHost.require(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")), "cgroup v1 hierarchies");
    hosts = TwoHosts.start(PREFIX);
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  void theSameDomainRunsOnBothHostsEachListedOnlyByItsOwnLibvirtd() throws Exception {
    String name = PREFIX + "same-" + UUID.randomUUID().toString().substring(0, 6);
    String uuid = UUID.randomUUID().toString();
    for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
      Path root = TestController.busyboxRoot(hosts.shared().resolve(name + "-" + h.name()));
      define(h, name, uuid, root, "/bin/sh", COUNTER_LOOP, "");
      h.virsh("start", name).ok();
    }
    for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
      assertEquals(List.of(name), h.virsh("list", "--name").ok().out().lines().filter(l -> !l.isBlank()).toList(),
          "only its own domain on " + h.name());
      assertEquals(uuid, h.virsh("domuuid", name).ok().out().strip());
    }
    assertFalse(Virsh.allDomainNames().contains(name), "the machine's own libvirtd does not see it");

    long initA = initPid(hosts.a(), name);
    long initB = initPid(hosts.b(), name);
    assertNotEquals(initA, initB);
    String cgA = Files.readString(Path.of("/proc/" + initA + "/cgroup"));
    String cgB = Files.readString(Path.of("/proc/" + initB + "/cgroup"));
    System.out.println("init on a: " + initA + "\n" + cgA + "init on b: " + initB + "\n" + cgB);
    for (String line : cgA.lines().filter(l -> l.matches("\\d+:[a-z=,]+:.*")).toList()) {
      assertTrue(line.contains(":/" + hosts.a().name() + "/machine/lxc-"), "under host a's cgroups: " + line);
    }
    for (String line : cgB.lines().filter(l -> l.matches("\\d+:[a-z=,]+:.*")).toList()) {
      assertTrue(line.contains(":/" + hosts.b().name() + "/machine/lxc-"), "under host b's cgroups: " + line);
    }
    String inside = hosts.a().run("cat", "/proc/" + initA + "/cgroup").ok().out();
    assertTrue(inside.contains("memory:/machine/lxc-"), "host a sees it at /machine (its cgroup namespace): " + inside);

    for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
      h.virsh("destroy", name).ok();
      h.virsh("undefine", name).ok();
    }
  }

  @Test
  void hostsReachEachOtherAndAContainerOnlyFromItsOwnHost() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    assertEquals(0, a.run("ping", "-c", "1", "-W", "3", b.address()).status(), "a pings b over the veth pair");
    assertEquals(0, b.run("ping", "-c", "1", "-W", "3", a.address()).status(), "b pings a over the veth pair");
    assertTrue(a.run("ip", "-o", "link").ok().out().contains(SimulatedHost.PEER_DEV), "a has " + SimulatedHost.PEER_DEV);
    assertFalse(HostNetwork.run("ip", "-o", "link").ok().contains(SimulatedHost.PEER_DEV), "the machine has not");

    String id = UUID.randomUUID().toString().substring(0, 6);
    String name = PREFIX + "net-" + id;
    int n = HostNetwork.freeSubnet("10.250", "10.250", "fd50:ee");
    String hostIp = "10.250." + n + ".1";
    String guestIp = "10.250." + n + ".2";
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    define(a, name, UUID.randomUUID().toString(), root, "/bin/sh",
        "nc -ll -p " + ECHO_PORT + " -e /bin/cat & while :; do sleep 1; done",
        "<interface type='ethernet'><source><ip address='" + hostIp + "' prefix='24'/></source>"
            + "<ip address='" + guestIp + "' prefix='24'/><target dev='vlxct-th" + id + "'/></interface>");
    a.virsh("start", name).ok();
    try {
      assertTrue(a.run("ip", "-o", "addr").ok().out().contains(hostIp + "/24"), "host side of the veth in a");
      SimulatedHost.Result ping = null;
      for (int i = 0; i < 10 && (ping == null || ping.status() != 0); i++) {
        ping = a.run("ping", "-c", "1", "-W", "1", guestIp);
      }
      assertEquals(0, ping.status(), "a pings its container: " + ping.out());
      String echoed = "";
      for (int i = 0; i < 10 && !echoed.contains("hello " + id); i++) {
        echoed = a.run("sh", "-c", "echo hello " + id + " | busybox nc -w 2 " + guestIp + " " + ECHO_PORT).out();
      }
      assertTrue(echoed.contains("hello " + id), "TCP echo from a's container: " + echoed);
      assertNotEquals(0, b.run("ping", "-c", "1", "-W", "1", guestIp).status(), "host b has no route to it");
      assertFalse(HostNetwork.run("ip", "-o", "addr").ok().contains(hostIp + "/"), "nor has the machine");
    } finally {
      a.virsh("destroy", name);
      a.virsh("undefine", name);
    }
  }

  @Test
  void saveOnOneHostAndRestoreOnTheOtherMovesTheDomainBothWays() throws Exception {
    SimulatedHost a = hosts.a();
    SimulatedHost b = hosts.b();
    String name = PREFIX + "move-" + UUID.randomUUID().toString().substring(0, 6);
    String uuid = UUID.randomUUID().toString();
    Path root = TestController.busyboxRoot(hosts.shared().resolve(name));
    Path images = Files.createDirectories(hosts.shared().resolve("images"));
    define(a, name, uuid, root, "/bin/sh", COUNTER_LOOP, "");
    a.virsh("start", name).ok();
    int before = Counter.awaitAbove(root, 2, Duration.ofSeconds(20));

    Path there = images.resolve(name + "-a.save");
    SimulatedHost.Result save = a.virtLxc("save", name, there.toString(), "--verbose").ok();
    System.out.println("save on a: " + save.out().strip() + " " + save.err().strip());
    assertEquals("shut off", a.virsh("domstate", name).ok().out().strip());
    int saved = Counter.current(root);
    assertTrue(saved >= before);
    assertFalse(b.virsh("list", "--all", "--name").ok().out().contains(name), "b knows nothing of it yet");

    b.virtLxc("restore", there.toString()).ok();
    assertEquals("running", b.virsh("domstate", name).ok().out().strip());
    assertEquals(uuid, b.virsh("domuuid", name).ok().out().strip());
    int onB = Counter.awaitAbove(root, saved, Duration.ofSeconds(20));
    assertTrue(onB <= saved + 5, "counts on from " + saved + " on b, not from 1: " + onB);
    long initB = initPid(b, name);
    assertTrue(Files.readString(Path.of("/proc/" + initB + "/cgroup")).contains("/" + b.name() + "/machine/"),
        "restored into b's cgroups");
    assertEquals("shut off", a.virsh("domstate", name).ok().out().strip(), "a keeps it defined, shut off");

    Path back = images.resolve(name + "-b.save");
    b.virtLxc("save", name, back.toString()).ok();
    assertEquals("shut off", b.virsh("domstate", name).ok().out().strip());
    int savedOnB = Counter.current(root);
    a.virtLxc("restore", back.toString()).ok();
    assertEquals("running", a.virsh("domstate", name).ok().out().strip());
    int onA = Counter.awaitAbove(root, savedOnB, Duration.ofSeconds(20));
    assertTrue(onA <= savedOnB + 5, "counts on from " + savedOnB + " back on a: " + onA);
    System.out.println("counter: saved on a at " + saved + ", on b " + onB + ", saved on b at " + savedOnB
        + ", back on a " + onA);
    assertTrue(initPid(a, name) != initB);

    for (SimulatedHost h : List.of(a, b)) {
      h.virsh("destroy", name);
      h.virsh("undefine", name);
    }
  }

  @Test
  void closeLeavesNothingBehindEvenWithRunningDomains() throws Exception {
    TwoHosts two = TwoHosts.start(PREFIX);
    String id = two.id();
    Path work = two.shared().getParent();
    List<Long> pids = new ArrayList<>();
    try {
      String name = id + "-dom";
      for (SimulatedHost h : List.of(two.a(), two.b())) {
        Path root = TestController.busyboxRoot(two.shared().resolve(h.name()));
        define(h, name, UUID.randomUUID().toString(), root, "/bin/sh", COUNTER_LOOP, "", two.controller());
        h.virsh("start", name).ok();
        long init = initPid(h, name);
        pids.addAll(List.of(h.holderPid(), h.libvirtdPid(), init, ProcessHandle.of(init).orElseThrow().parent()
            .orElseThrow().pid()));
      }
      assertEquals(2, Leftovers.cgroupDirs(List.of(id)).stream().filter(p -> p.startsWith("/sys/fs/cgroup/memory"))
          .filter(p -> p.getParent().equals(Path.of("/sys/fs/cgroup/memory"))).count(), "both hosts' memory cgroups");
    } finally {
      two.close();
    }
    for (long pid : pids) {
      assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive() || Leftovers.isZombie(pid)).orElse(true),
          "process " + pid + " ended");
    }
    assertFalse(HostNetwork.run("ip", "netns", "list").ok().contains(id), "network namespaces removed");
    assertFalse(Files.exists(work), "work directory removed");
    Leftovers.assertNone(id, work, Duration.ofSeconds(5));
  }

  private static void define(SimulatedHost h, String name, String uuid, Path root, String init, String script,
      String devices) throws Exception {
    define(h, name, uuid, root, init, script, devices, hosts.controller());
  }

  private static void define(SimulatedHost h, String name, String uuid, Path root, String init, String script,
      String devices, Path controller) throws Exception {
    h.defineBusybox(name, uuid, root, init, script, devices, controller);
  }

  /** The container's init: the only child of the controller whose pid libvirtd reports as the domain's id. */
  private static long initPid(SimulatedHost h, String name) throws Exception {
    long controller = Long.parseLong(h.virsh("domid", name).ok().out().strip());
    for (int i = 0; i < 100; i++) {
      List<Long> children = ProcessHandle.of(controller).orElseThrow().children().map(ProcessHandle::pid).toList();
      if (children.size() == 1) {
        return children.get(0);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("controller " + controller + " of " + name + " has no single child");
  }
}
