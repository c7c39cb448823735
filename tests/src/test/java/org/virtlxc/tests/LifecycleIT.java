package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtlxc.tests.LifecycleDomain.await;
import static org.virtlxc.tests.LifecycleDomain.sleep;
import static org.virtlxc.tests.LifecycleDomain.virsh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.event.LifecycleListener;
import org.virtlxc.tests.LifecycleDomain.Running;

/**
 * The lifecycle verbs of stock {@code virsh -c lxc:///} and libvirt-java against domains under virt-lxc's controller:
 * shutdown and reboot in every mode, init ending by itself, suspend/resume, lifecycle events, and a libvirtd restart
 * while a domain runs. What libvirtd 9.0 itself does (and the controller must answer): see each test.
 */
class LifecycleIT {
  private static final Duration EVENT_WAIT = Duration.ofSeconds(30);
  private static boolean eventLoopStarted;

  private LifecycleDomain domain;

  @BeforeEach
  void setUp() throws IOException {
    domain = LifecycleDomain.create();
  }

  @AfterEach
  void tearDown() throws IOException {
    domain.close();
  }

  /**
   * Busybox init as the domain's init. libvirtd 9.0 looks for an initctl FIFO in the container and, when there is none,
   * reports success for {@code shutdown}/{@code reboot} in default and initctl mode without doing anything (its
   * fallback to a signal only runs when the FIFO write failed). {@code --mode signal} sends SIGTERM (shutdown) or
   * SIGHUP (reboot) to init's pid. Busybox init reads SIGTERM as "reboot": it runs its shutdown actions, then
   * reboot(RB_AUTOBOOT), which in a pid namespace makes the kernel kill init with SIGHUP; the controller reports
   * EXIT/REBOOT and libvirtd starts the domain again with a new controller and init (as with libvirt_lxc). SIGHUP is
   * busybox init's "reload inittab": nothing visible. SIGUSR2 ({@code send-process-signal}) is its "power off":
   * reboot(RB_POWER_OFF) kills init with SIGINT, the controller reports EXIT/SHUTDOWN, the domain is shut off.
   */
  @Test
  void busyboxInitShutdownAndRebootInEveryMode() throws Exception {
    domain.define("/bin/init");
    virsh("start", domain.name).ok();
    Running first = domain.awaitRunning();
    await("first boot recorded", () -> domain.bootCount() == 1);

    for (String[] verb : List.of(new String[] {"shutdown"}, new String[] {"shutdown", "--mode", "initctl"},
        new String[] {"reboot"}, new String[] {"reboot", "--mode", "initctl"}, new String[] {"reboot", "--mode",
            "signal"})) {
      List<String> args = new ArrayList<>(List.of(verb));
      args.add(domain.name);
      Virsh.Result r = virsh(args.toArray(String[]::new)).ok();
      System.out.println("virsh " + String.join(" ", args) + ": " + r.out().strip());
    }
    int before = domain.counter();
    sleep(2500);
    assertTrue(domain.counter() > before, "the container keeps running");
    assertEquals(first, domain.awaitRunning(), "same controller and init: no FIFO, and SIGHUP only reloads inittab");
    assertEquals(1, domain.bootCount(), domain.boots().toString());
    assertEquals("running (booted)", domain.state());

    virsh("shutdown", "--mode", "signal", domain.name).ok();
    Running second = domain.awaitRunning(first.controllerPid());
    System.out.println("after shutdown --mode signal: " + first + " -> " + second + ", boots " + domain.boots());
    assertNotEquals(first.initPid(), second.initPid(), "a new init");
    await("second boot recorded", () -> domain.bootCount() == 2);
    assertEquals(List.of("boot", "shutdown", "boot"), domain.boots(), "busybox init shut down, then booted again");
    assertEquals("running (booted)", domain.state());
    domain.assertControllerCleanedUp(first);
    int afterReboot = domain.counter();
    await("counter advances after the reboot", () -> domain.counter() > afterReboot);

    virsh("send-process-signal", domain.name, "1", "SIGUSR2").ok();
    domain.awaitState("shut off (shutdown)");
    assertEquals(List.of("boot", "shutdown", "boot", "shutdown"), domain.boots());
    domain.assertStoppedCleanly(second);
  }

  /**
   * An init that serves /run/initctl: {@code virsh reboot} (default mode, i.e. initctl) writes runlevel 6, the init
   * reboots its pid namespace and libvirtd starts the domain again; {@code virsh shutdown --mode initctl} writes
   * runlevel 0, the init exits and the domain is shut off with reason shutdown.
   */
  @Test
  void initctlRebootRestartsTheDomainAndInitctlShutdownStopsIt() throws Exception {
    domain.install("/sbin/vlxct-init", LifecycleDomain.INITCTL_INIT);
    domain.define("/sbin/vlxct-init");
    virsh("start", domain.name).ok();
    Running first = domain.awaitRunning();
    await("init listens on /run/initctl", () -> Files.exists(domain.rootfs.resolve("run/initctl")));

    virsh("reboot", domain.name).ok();
    Running second = domain.awaitRunning(first.controllerPid());
    await("second boot", () -> domain.bootCount() == 2);
    System.out.println("after reboot: " + first + " -> " + second + ", boots " + domain.boots());
    assertTrue(domain.boots().contains("runlevel 6"), domain.boots().toString());
    assertEquals("running (booted)", domain.state());
    domain.assertControllerCleanedUp(first);

    await("init listens on /run/initctl again", () -> domain.boots().size() >= 3
        && Files.exists(domain.rootfs.resolve("run/initctl")));
    virsh("shutdown", "--mode", "initctl", domain.name).ok();
    domain.awaitState("shut off (shutdown)");
    assertTrue(domain.boots().contains("runlevel 0"), domain.boots().toString());
    domain.assertStoppedCleanly(second);
  }

  /** Init ending by itself (exit status 0): the controller reports EXIT/SHUTDOWN and removes everything. */
  @Test
  void initExitingByItselfShutsTheDomainOff() throws Exception {
    domain.define("/bin/sh", "-c", "sleep 3; exit 0");
    virsh("start", domain.name).ok();
    long ctl = domain.controllerPid();
    assertTrue(ctl > 0, "pid file written");
    List<Long> children = ProcessHandle.of(ctl).map(p -> p.children().map(ProcessHandle::pid).toList())
        .orElse(List.of());
    domain.awaitState("shut off (shutdown)");
    Running r = new Running(ctl, children.isEmpty() ? ctl : children.get(0));
    domain.assertStoppedCleanly(r);
    assertTrue(LifecycleDomain.cgroupDirs("-" + domain.name + ".libvirt-lxc").isEmpty(), "no cgroup of the domain");
  }

  /**
   * A shell as init ignores {@code shutdown}/{@code reboot --mode signal}. libvirtd freezes the whole machine cgroup
   * (controller included): the counter stops while paused and goes on after
   * resume. A destroy while paused is a SIGKILL to every task (the controller cannot clean up), after which libvirtd
   * leaves empty cgroup directories, as it does with libvirt_lxc; the domain's next controller removes them.
   */
  @Test
  void suspendFreezesTheContainerResumeContinuesAndDestroyWorksWhilePaused() throws Exception {
    domain.define("/bin/sh", "-c", LifecycleDomain.COUNTER_LOOP);
    virsh("start", domain.name).ok();
    Running first = domain.awaitRunning();
    int start = domain.counter();
    await("counter advances", () -> domain.counter() > start);

    // a shell as init has no handler for SIGTERM or SIGHUP: the kernel drops them for a pid namespace's init
    virsh("shutdown", "--mode", "signal", domain.name).ok();
    virsh("reboot", "--mode", "signal", domain.name).ok();
    int signalled = domain.counter();
    await("counter advances after SIGTERM and SIGHUP", () -> domain.counter() > signalled + 1);
    assertEquals(first, domain.awaitRunning(), "the shell init ignored both signals");

    virsh("suspend", domain.name).ok();
    assertEquals("paused (user)", domain.state());
    Path freezer = Path.of("/sys/fs/cgroup/freezer/machine/lxc-" + first.controllerPid() + "-" + domain.name
        + ".libvirt-lxc/freezer.state");
    assertEquals("FROZEN", Files.readString(freezer).strip(), freezer.toString());
    int paused = domain.counter();
    sleep(2500);
    assertEquals(paused, domain.counter(), "no progress while paused");

    virsh("resume", domain.name).ok();
    assertEquals("running (unpaused)", domain.state());
    await("counter advances after resume", () -> domain.counter() > paused);
    assertEquals(first, domain.awaitRunning(), "same controller and init after resume");

    virsh("suspend", domain.name).ok();
    assertEquals("paused (user)", domain.state());
    virsh("destroy", domain.name).ok();
    assertEquals("shut off (destroyed)", domain.state());
    await("controller killed", () -> LifecycleDomain.gone(first.controllerPid()));
    await("init killed", () -> LifecycleDomain.gone(first.initPid()));
    List<Path> left = LifecycleDomain.cgroupDirs("lxc-" + first.controllerPid() + "-" + domain.name);
    System.out.println("left by destroy while paused: " + left);

    virsh("start", domain.name).ok();
    Running second = domain.awaitRunning(first.controllerPid());
    assertEquals(List.of(), LifecycleDomain.cgroupDirs("lxc-" + first.controllerPid() + "-" + domain.name),
        "the next controller removed the killed one's cgroups");
    virsh("destroy", domain.name).ok();
    domain.assertStoppedCleanly(second);
  }

  /**
   * libvirt-java lifecycle events for start, suspend, resume, shutdown (initctl) and destroy of our domain, and
   * libvirtd's reboot event (a reboot has no lifecycle event: libvirtd stops and starts the domain silently).
   */
  @Test
  void lifecycleEventsReachLibvirtJava() throws Exception {
    domain.install("/sbin/vlxct-init", LifecycleDomain.INITCTL_INIT);
    domain.define("/sbin/vlxct-init");
    startEventLoop();
    Connect conn = new Connect(Virsh.URI);
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    LifecycleListener listener = (dom, event) -> {
      try {
        if (domain.name.equals(dom.getName())) {
          events.add(event.getType() + "/" + event.getDetail());
        }
      } catch (LibvirtException e) {
        events.add("error: " + e.getMessage());
      }
      return 0;
    };
    conn.addLifecycleListener(listener);
    conn.addRebootListener(dom -> {
      try {
        if (domain.name.equals(dom.getName())) {
          events.add("REBOOT");
        }
      } catch (LibvirtException e) {
        events.add("error: " + e.getMessage());
      }
    });
    try {
      Domain dom = conn.domainLookupByName(domain.name);
      dom.create();
      assertEquals("STARTED/BOOTED", take(events));
      Running first = domain.awaitRunning();
      await("init listens on /run/initctl", () -> Files.exists(domain.rootfs.resolve("run/initctl")));
      dom.suspend();
      assertEquals("SUSPENDED/PAUSED", take(events));
      dom.resume();
      assertEquals("RESUMED/UNPAUSED", take(events));
      await("init listens on /run/initctl", () -> Files.exists(domain.rootfs.resolve("run/initctl")));
      dom.reboot(0); // initctl: the init reboots its pid namespace, the controller reports EXIT/REBOOT
      assertEquals("REBOOT", take(events), "libvirtd's reboot event (no lifecycle event for a reboot)");
      Running rebooted = domain.awaitRunning(first.controllerPid());
      domain.assertControllerCleanedUp(first);
      first = rebooted;
      await("init listens on /run/initctl", () -> domain.boots().size() >= 3
          && Files.exists(domain.rootfs.resolve("run/initctl")));
      dom.shutdown();
      assertEquals("STOPPED/SHUTDOWN", take(events), "EXIT/SHUTDOWN arrived before the monitor's EOF");
      domain.assertStoppedCleanly(first);

      dom.create();
      assertEquals("STARTED/BOOTED", take(events));
      Running second = domain.awaitRunning(first.controllerPid());
      dom.destroy();
      assertEquals("STOPPED/DESTROYED", take(events));
      domain.assertStoppedCleanly(second);
      assertEquals(null, events.poll(1, TimeUnit.SECONDS), "no further events");
    } finally {
      conn.removeLifecycleListener(listener);
      conn.close();
    }
  }

  /**
   * libvirtd restarted while the domain runs (SIGTERM to the pid in /run/libvirtd.pid, then the project's start script):
   * it reloads the status XML and connects to the controller's monitor socket again. The domain keeps its id, console
   * and lxc-enter-namespace work, and the controller's next EXIT (a reboot through initctl) reaches the new libvirtd,
   * which starts the domain again; destroy then removes everything. A domain whose init ends while libvirtd is down
   * is found shut off with reason failed (libvirtd finds no controller to reconnect to) and leaves nothing behind.
   */
  @Test
  void libvirtdRestartReconnectsToTheRunningDomain() throws Exception {
    domain.install("/sbin/vlxct-init", LifecycleDomain.INITCTL_INIT);
    domain.define("/sbin/vlxct-init");
    virsh("start", domain.name).ok();
    Running before = domain.awaitRunning();
    await("init listens on /run/initctl", () -> Files.exists(domain.rootfs.resolve("run/initctl")));

    try (LifecycleDomain ending = LifecycleDomain.create()) {
      // a second domain whose init ends while libvirtd is down: no one to tell, the controller just cleans up
      ending.define("/bin/sh", "-c", "while [ ! -e /tmp/stop ]; do sleep 1; done; exit 0");
      virsh("start", ending.name).ok();
      Running ended = ending.awaitRunning();

      restartLibvirtd(() -> {
        try {
          Files.writeString(ending.rootfs.resolve("tmp/stop"), "");
        } catch (IOException e) {
          throw new AssertionError(e);
        }
        await("controller of " + ending.name + " gone while libvirtd is down",
            () -> LifecycleDomain.gone(ended.controllerPid()));
      });

      assertEquals("shut off (failed)", ending.state(), "libvirtd found no controller to reconnect to");
      ending.assertStoppedCleanly(ended);
    }

    String list = virsh("list").ok().out();
    System.out.println("virsh list after the restart:\n" + list);
    Matcher row = Pattern.compile("(?m)^\\s*(\\d+)\\s+" + Pattern.quote(domain.name) + "\\s+running\\s*$").matcher(list);
    assertTrue(row.find(), "listed running:\n" + list);
    assertEquals(before.controllerPid(), Long.parseLong(row.group(1)), "same id");
    assertEquals("running (unknown)", domain.state(), "libvirtd's state after reconnecting");
    assertEquals(before, domain.awaitRunning(), "same controller and init");

    // libvirtd learns the init pid from its status XML, or from the INIT the controller sends every new connection
    String counter = Virsh.inside(domain.name, "/bin/cat", "/tmp/counter");
    assertTrue(counter.strip().matches("\\d+"), "lxc-enter-namespace reads the counter: " + counter);
    String console = consoleOutput(Duration.ofSeconds(4));
    System.out.println("virsh console after the restart: " + console.strip().replace("\r\n", " | "));
    assertTrue(console.contains("vlxct tick"), "console relays the container's output: " + console);

    virsh("reboot", domain.name).ok();
    Running after = domain.awaitRunning(before.controllerPid());
    System.out.println("reboot after the restart: " + before + " -> " + after);
    domain.assertControllerCleanedUp(before);

    virsh("destroy", domain.name).ok();
    assertEquals("shut off (destroyed)", domain.state());
    domain.assertStoppedCleanly(after);
  }

  /** Stops libvirtd, runs {@code whileDown}, starts libvirtd again as the project's set-up script does. */
  private void restartLibvirtd(Runnable whileDown) throws Exception {
    long pid = Long.parseLong(Files.readString(Path.of("/run/libvirtd.pid")).strip());
    assertEquals("libvirtd", Files.readString(Path.of("/proc/" + pid + "/comm")).strip(), "pid file names libvirtd");
    ProcessHandle libvirtd = ProcessHandle.of(pid).orElseThrow();
    assertTrue(libvirtd.destroy(), "SIGTERM sent to libvirtd " + pid);
    libvirtd.onExit().get(30, TimeUnit.SECONDS);
    try {
      whileDown.run();
    } finally {
      startLibvirtd();
    }
  }

  private static void startLibvirtd() throws Exception {
    Process p = new ProcessBuilder(LifecycleDomain.BUILD_ROOT.resolve("scripts/setup/ensure-libvirtd.sh").toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ensure-libvirtd.sh finished");
    System.out.println(out);
    assertEquals(0, p.exitValue(), "ensure-libvirtd.sh: " + out);
  }

  /** What {@code virsh console} shows within {@code span} (run under script(1), which gives it a terminal). */
  private String consoleOutput(Duration span) throws Exception {
    Process p = new ProcessBuilder("script", "-q", "-f", "-e", "-c",
        "virsh -c " + Virsh.URI + " console " + domain.name, "/dev/null").redirectErrorStream(true).start();
    StringBuilder text = new StringBuilder();
    Thread reader = new Thread(() -> {
      byte[] buf = new byte[4096];
      try (InputStream in = p.getInputStream()) {
        for (int n; (n = in.read(buf)) > 0; ) {
          synchronized (text) {
            text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
          }
        }
      } catch (IOException e) {
        // the process was ended
      }
    }, "console-reader");
    reader.start();
    sleep(span.toMillis());
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    p.waitFor(10, TimeUnit.SECONDS);
    reader.join(5000);
    synchronized (text) {
      return text.toString();
    }
  }

  private static String take(BlockingQueue<String> events) throws InterruptedException {
    String e = events.poll(EVENT_WAIT.toSeconds(), TimeUnit.SECONDS);
    System.out.println("event: " + e);
    assertFalse(e == null, "an event within " + EVENT_WAIT);
    return e;
  }

  /** libvirt's default event loop, run by one daemon thread for the whole JVM (libvirt allows one registration). */
  private static synchronized void startEventLoop() throws LibvirtException {
    if (eventLoopStarted) {
      return;
    }
    Library.initEventLoop();
    Thread t = new Thread(() -> {
      try {
        Library.runEventLoop();
      } catch (LibvirtException | InterruptedException e) {
        System.out.println("libvirt event loop ended: " + e);
      }
    }, "libvirt-event-loop");
    t.setDaemon(true);
    t.start();
    eventLoopStarted = true;
  }
}
