package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The first vertical of the controller: stock {@code virsh -c lxc:///} against the running libvirtd starts, inspects and
 * destroys a busybox domain whose {@code <emulator>} is virt-lxc's controller (run from this build's jars).
 */
class ControllerIT {
  private static final Path BUILD_ROOT = Path.of(System.getProperty("virtlxc.build.root", "..")).toAbsolutePath()
      .normalize();
  private static final Path STATE_DIR = Path.of("/run/libvirt/lxc");
  private static final String COUNTER_LOOP = Counter.LOOP;

  private ControllerDomain domain;
  private String name;
  private Path rootfs;

  @BeforeEach
  void setUp() throws IOException {
    domain = new ControllerDomain("vlxct-ctl-");
    name = domain.name;
    rootfs = domain.rootfs;
  }

  @AfterEach
  void tearDown() throws IOException {
    domain.close();
  }

  /** The counter, read inside the container through {@code virsh lxc-enter-namespace}. */
  private int counterInside() throws InterruptedException {
    String c = Virsh.inside(name, "/bin/cat", "/tmp/counter").strip();
    System.out.println("virsh lxc-enter-namespace " + name + " --noseclabel /bin/cat /tmp/counter: " + c);
    return Integer.parseInt(c);
  }

  @Test
  void busyboxDomainRunsUnderOurControllerAndIsDestroyedCleanly() throws Exception {
    domain.define(domain.xml("", "/bin/sh", List.of("-c", COUNTER_LOOP), rootfs, ""));

    Virsh.Result start = Virsh.run("start", name).ok();
    System.out.println("virsh start: " + start.out().strip());

    long ctlPid = Long.parseLong(Files.readString(STATE_DIR.resolve(name + ".pid")).strip());
    String list = Virsh.run("list").ok().out();
    System.out.println("virsh list:\n" + list);
    Matcher row = Pattern.compile("(?m)^\\s*(\\d+)\\s+" + Pattern.quote(name) + "\\s+running\\s*$").matcher(list);
    assertTrue(row.find(), "virsh list shows " + name + " running:\n" + list);
    assertEquals(ctlPid, Long.parseLong(row.group(1)), "domain id = controller pid");
    assertTrue(ProcessHandle.of(ctlPid).map(p -> p.info().command().orElse("")).orElse("").endsWith("java"),
        "the pid libvirtd recorded is our JVM");

    String dominfo = Virsh.run("dominfo", name).ok().out();
    System.out.println("virsh dominfo:\n" + dominfo);
    assertTrue(dominfo.matches("(?s).*Max memory:\\s+524288 KiB.*"), dominfo);
    assertTrue(dominfo.matches("(?s).*State:\\s+running.*"), dominfo);

    long initPid = TestController.onlyChild(ctlPid);
    String nspid = Files.readAllLines(Path.of("/proc/" + initPid + "/status")).stream()
        .filter(l -> l.startsWith("NSpid:")).findFirst().orElseThrow();
    System.out.println("init " + nspid);
    assertTrue(nspid.matches("NSpid:\\s+" + initPid + "\\s+1"), nspid);

    int first = counterInside();
    Thread.sleep(2500);
    int second = counterInside();
    System.out.println("counter: " + first + " -> " + second);
    assertTrue(second > first, "counter advances: " + first + " -> " + second);

    String machineDir = "lxc-" + ctlPid + "-" + name + ".libvirt-lxc";
    assertFalse(cgroupDirs(machineDir).isEmpty(), "machine cgroup exists while running");

    Virsh.Result destroy = Virsh.run("destroy", name).ok();
    System.out.println("virsh destroy: " + destroy.out().strip());
    assertTrue(waitUntilGone(ctlPid, 3000), "controller " + ctlPid + " gone");
    assertTrue(waitUntilGone(initPid, 1000), "init " + initPid + " gone");
    assertEquals(List.of(), cgroupDirs(machineDir), "no machine cgroup left");
    assertEquals(List.of(), cgroupDirs(name), "no cgroup named after the domain left");
    assertFalse(Files.exists(STATE_DIR.resolve(name + ".sock")), "monitor socket removed");
    assertTrue(Virsh.run("domstate", name).ok().out().contains("shut off"));
  }

  @Test
  void missingInitFailsStartWithOneClearLineAndLeavesNothing() throws Exception {
    domain.define(domain.xml("", "/bin/no-such-init", List.of(), rootfs, ""));

    Virsh.Result start = Virsh.run("start", name);
    System.out.println("virsh start (missing init): status " + start.status() + "\n" + start.err());
    assertNotEquals(0, start.status());
    assertTrue(start.err().contains("Failure in virt-lxc startup: virt-lxc-init: unable to find init /bin/no-such-init"),
        start.err());

    Thread.sleep(2500); // the host's pid 1 reaps the exited controller lazily
    assertEquals(List.of(), cgroupDirs(name), "no cgroup named after the domain left");
    assertFalse(Files.exists(STATE_DIR.resolve(name + ".sock")), "monitor socket removed");
    assertEquals(List.of(), processesMentioning(name), "no controller process left");
  }

  /** Gone, or a zombie (the host's pid 1 reaps lazily). */
  private static boolean waitUntilGone(long pid, long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      Path stat = Path.of("/proc/" + pid + "/stat");
      if (!Files.exists(stat)) {
        return true;
      }
      try {
        String s = Files.readString(stat);
        if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
          return true;
        }
      } catch (IOException e) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  private static List<Path> cgroupDirs(String fragment) throws IOException {
    return Leftovers.cgroupDirs(List.of(fragment));
  }

  private static List<Long> processesMentioning(String text) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(text)).orElse(false))
        .map(ProcessHandle::pid).toList();
  }

}
