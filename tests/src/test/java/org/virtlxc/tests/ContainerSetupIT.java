package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The container-setup paths of virt-lxc's controller and its native helper, each started by the real libvirtd through
 * stock virsh and checked from inside ({@code virsh lxc-enter-namespace}) and from the host: host root, read-only root
 * with bind and ram filesystems, user namespace, shared namespaces, several consoles, capability policies (the last
 * compared with stock {@code libvirt_lxc} running the same domain).
 */
class ContainerSetupIT {
  private static final Path BUILD_ROOT = Path.of(System.getProperty("virtlxc.build.root", "..")).toAbsolutePath()
      .normalize();
  private static final Path STATE_DIR = Path.of("/run/libvirt/lxc");
  private static final Path STOCK_CONTROLLER = Path.of("/usr/lib/libvirt/libvirt_lxc");
  private static final String IDLE = "while :; do sleep 1; done";
  /** The mount points a container sets up for itself; none of them may change on the host. */
  private static final List<String> CONTAINER_MOUNT_POINTS =
      List.of("/proc", "/proc/sys", "/sys", "/dev", "/dev/pts", "/dev/console", "/dev/tty1", "/dev/tty2");

  private String id;
  private Path work;
  private Path launcher;
  private final List<String> domains = new ArrayList<>();
  private final List<Process> helpers = new ArrayList<>();
  private final List<String> netnsCreated = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    id = UUID.randomUUID().toString().substring(0, 8);
    work = Files.createTempDirectory(Path.of("/tmp"), "vlxct-paths-");
    launcher = TestController.writeLauncher(work.resolve("virt-lxc-controller"));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (String d : domains) {
      Virsh.destroyAndUndefine(d);
    }
    for (Process p : helpers) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    for (String ns : netnsCreated) {
      try {
        run(List.of("nsenter", "-t", Long.toString(libvirtdPid()), "-m", "ip", "netns", "del", ns));
      } catch (AssertionError | IOException e) {
        System.err.println("unable to remove netns " + ns + ": " + e.getMessage());
      }
    }
    TestController.deleteTree(work);
  }

  /** 1. No filesystem targets '/': the host root, with the container's own pid namespace, /proc, /dev, hostname. */
  @Test
  void applicationContainerOnTheHostRootHasItsOwnProcDevAndHostname() throws Exception {
    String name = "vlxct-paths-host-" + id;
    Path marker = work.resolve("host-file");
    Files.writeString(marker, "from the host " + id);
    Map<String, List<String>> hostBefore = containerMountPoints(Path.of("/proc/self/mountinfo"));
    Map<String, List<String>> libvirtdBefore = containerMountPoints(Path.of("/proc/" + libvirtdPid() + "/mountinfo"));

    start(name, domainXml(name, launcher, "/bin/sh", "echo vlxct-init-" + id + " > /dev/null; " + IDLE, "", ""));
    long initPid = initPid(name);

    assertEquals("from the host " + id, inside(name, "cat " + marker).strip(), "the root is the host's /");
    assertEquals(name, inside(name, "hostname").strip());
    String ps = inside(name, "ls /proc | grep -E '^[0-9]+$' | wc -l").strip();
    assertTrue(Integer.parseInt(ps) < 10, "only the container's processes in its /proc: " + ps);
    assertTrue(inside(name, "cat /proc/1/cmdline | tr '\\0' ' '").contains("vlxct-init-" + id), "pid 1 is our init");
    assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(),
        Files.readSymbolicLink(Path.of("/proc/" + initPid + "/ns/pid")).toString(), "own pid namespace");
    assertTrue(nspid(initPid).matches("NSpid:\\s+" + initPid + "\\s+1"), nspid(initPid));

    String mounts = inside(name, "cat /proc/mounts");
    assertTrue(mounts.contains("proc /proc proc rw,nosuid,nodev,noexec"), mounts);
    assertTrue(mounts.contains("proc /proc/sys proc ro,"), mounts);
    assertTrue(mounts.contains("sysfs /sys sysfs ro,nosuid,nodev,noexec"), mounts);
    assertTrue(mounts.contains("devfs /dev tmpfs rw,nosuid"), mounts);
    assertTrue(mounts.matches("(?s).*devpts /dev/pts devpts [^\\n]*ptmxmode=666.*"), mounts);
    for (String point : List.of("/proc", "/sys", "/dev", "/dev/pts")) {
      assertEquals(1, mounts.lines().filter(l -> l.split(" ")[1].equals(point)).count(),
          "only the container's own mount on " + point + " (the host's gave way):\n" + mounts);
    }
    assertFalse(mounts.contains("devtmpfs"), "the host's /dev is not underneath:\n" + mounts);
    // stat's %t:%T are hex: 1:3 is null, 5:0 tty, 88 (136) a pty slave.
    String nodes = inside(name, "for n in null zero full random urandom tty console tty1; do "
        + "stat -c '%n %F %t:%T' /dev/$n; done; stat -c '%a' /dev/null");
    for (String n : List.of("/dev/null character special file 1:3", "/dev/zero character special file 1:5",
        "/dev/full character special file 1:7", "/dev/random character special file 1:8",
        "/dev/urandom character special file 1:9", "/dev/tty character special file 5:0")) {
      assertTrue(nodes.contains(n), "has " + n + ":\n" + nodes);
    }
    assertTrue(nodes.matches("(?s).*/dev/console character special file 88:\\d+.*"), nodes);
    assertTrue(nodes.strip().endsWith("666"), "/dev/null is rw for all: " + nodes);

    assertEquals(hostBefore, containerMountPoints(Path.of("/proc/self/mountinfo")), "host mounts unchanged");
    assertEquals(libvirtdBefore, containerMountPoints(Path.of("/proc/" + libvirtdPid() + "/mountinfo")),
        "libvirtd's mounts unchanged");
    assertTrue(Files.exists(Path.of("/proc/self/ns/pid")), "the host's /proc is still the host's");
  }

  /** 2. Read-only root, a read-write and a read-only bind mount, and a ram filesystem with its size. */
  @Test
  void readonlyRootBindMountsAndRamFilesystem() throws Exception {
    String name = "vlxct-paths-ro-" + id;
    Path root = TestController.busyboxRoot(work.resolve("root"));
    for (String d : List.of("mnt/rw", "mnt/ro", "mnt/ram")) {
      Files.createDirectories(root.resolve(d));
    }
    Path shared = Files.createDirectories(work.resolve("shared"));
    Files.writeString(shared.resolve("f"), "shared " + id);
    String fs = "<filesystem type='mount'><source dir='" + root + "'/><target dir='/'/><readonly/></filesystem>\n"
        + "<filesystem type='mount'><source dir='" + shared + "'/><target dir='/mnt/rw'/></filesystem>\n"
        + "<filesystem type='mount'><source dir='" + shared + "'/><target dir='/mnt/ro'/><readonly/></filesystem>\n"
        + "<filesystem type='ram'><source usage='2048' units='KiB'/><target dir='/mnt/ram'/></filesystem>\n";
    start(name, domainXml(name, launcher, "/bin/sh", IDLE, fs, ""));

    assertTrue(inside(name, "touch /x 2>&1; echo rc=$?").contains("Read-only file system"), "root is read-only");
    assertEquals("rc=0", inside(name, "echo in > /mnt/rw/w; echo rc=$?").strip());
    assertEquals("in", Files.readString(shared.resolve("w")).strip(), "rw bind writes reach the host directory");
    assertTrue(inside(name, "touch /mnt/ro/z 2>&1; echo rc=$?").contains("Read-only file system"));
    assertEquals("shared " + id, inside(name, "cat /mnt/ro/f").strip());
    String mounts = inside(name, "cat /proc/mounts");
    assertTrue(mounts.matches("(?s).*\\S+ / \\S+ ro[,\\s].*"), "root mounted ro:\n" + mounts);
    assertTrue(mounts.matches("(?s).*tmpfs /mnt/ram tmpfs rw,nosuid,nodev,[^\\n]*size=2048k.*"), mounts);
    assertEquals("rc=0", inside(name, "echo r > /mnt/ram/r; echo rc=$?").strip());
    assertFalse(Files.exists(root.resolve("mnt/ram/r")), "the ram filesystem is not the root's directory");
  }

  /** 3. {@code <idmap>}: maps as in the XML, init runs as the mapped host id, consoles owned by the mapped root. */
  @Test
  void idmapMakesAUserNamespaceWithTheMapsOfTheXml() throws Exception {
    String name = "vlxct-paths-uns-" + id;
    // The container's root, a host id other than 0, must be able to reach its root filesystem.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path root = TestController.busyboxRoot(work.resolve("root"));
    // libvirt_lxc does not chown the root filesystem: it must belong to the mapped root, as here.
    run(List.of("chown", "-R", "100000:100000", root.toString()));
    String idmap = "<idmap><uid start='0' target='100000' count='65536'/>"
        + "<gid start='0' target='100000' count='65536'/></idmap>\n"
        // lxc-enter-namespace joins the user namespace first: every other namespace must belong to it.
        + "<features><privnet/></features>\n";
    String fs = "<filesystem type='mount'><source dir='" + root + "'/><target dir='/'/></filesystem>\n";
    start(name, domainXml(name, launcher, "/bin/sh", "echo hi > /tmp/by-init; " + IDLE, fs, idmap));
    long initPid = initPid(name);

    assertEquals(List.of("0 100000 65536"), mapLines(inside(name, "cat /proc/1/uid_map")));
    assertEquals(List.of("0 100000 65536"), mapLines(inside(name, "cat /proc/1/gid_map")));
    String status = Files.readString(Path.of("/proc/" + initPid + "/status"));
    assertTrue(status.matches("(?s).*\\nUid:\\s+100000\\s+100000\\s+100000\\s+100000\\n.*"), status);
    Path byInit = root.resolve("tmp/by-init");
    waitFor(() -> Files.exists(byInit), "init wrote " + byInit);
    assertEquals(100000, Files.getAttribute(byInit, "unix:uid"), "a file init creates belongs to the mapped id");
    String dev = inside(name, "ls -ln /dev/console");
    assertTrue(dev.matches("(?s).*c\\S+\\s+\\d+\\s+0\\s+0\\s+\\d+,\\s+\\d+ [^\\n]*/dev/console.*"),
        "console owned by the container's root:\n" + dev);
    // The device nodes are real nodes on the container's tmpfs /dev, owned by its root (not the host's, bound in).
    String nodes = inside(name, "stat -c '%n %u:%g %F %t:%T %a' /dev/null /dev/zero /dev/urandom /dev/tty");
    for (String n : List.of("/dev/null 0:0 character special file 1:3 666", "/dev/zero 0:0 character special file 1:5 666",
        "/dev/urandom 0:0 character special file 1:9 666", "/dev/tty 0:0 character special file 5:0 666")) {
      assertTrue(nodes.contains(n), "has " + n + ":\n" + nodes);
    }
    String mounts = inside(name, "cat /proc/mounts");
    assertFalse(mounts.contains("devtmpfs"), "no host device node bound in:\n" + mounts);
    assertEquals("rc=0", inside(name, "echo x > /dev/null; head -c 4 /dev/urandom > /dev/null; echo rc=$?").strip());
  }

  /** 4. {@code <lxc:namespace>}: net from a named netns, ipc from a pid, uts from another domain. */
  @Test
  void sharedNamespacesAreJoined() throws Exception {
    String other = "vlxct-paths-uts-" + id;
    String name = "vlxct-paths-share-" + id;
    String netns = "vlxct-paths-" + id;
    long libvirtd = libvirtdPid();
    // libvirtd runs in a private mount namespace: the netns must be mounted where it looks for it.
    run(List.of("nsenter", "-t", Long.toString(libvirtd), "-m", "ip", "netns", "add", netns));
    netnsCreated.add(netns);
    String netInode = run(List.of("nsenter", "-t", Long.toString(libvirtd), "-m", "stat", "-L", "-c", "%i",
        "/run/netns/" + netns)).strip();
    Process ipcHolder = new ProcessBuilder("unshare", "--ipc", "sleep", "600").start();
    helpers.add(ipcHolder);
    waitFor(() -> !nsInode(ipcHolder.pid(), "ipc").equals(nsInode(ProcessHandle.current().pid(), "ipc")),
        "the ipc holder has its own ipc namespace");

    start(other, domainXml(other, launcher, "/bin/sh", IDLE, "", ""));
    String share = "<lxc:namespace>"
        + "<lxc:sharenet type='netns' value='" + netns + "'/>"
        + "<lxc:shareipc type='pid' value='" + ipcHolder.pid() + "'/>"
        + "<lxc:shareuts type='name' value='" + other + "'/>"
        + "</lxc:namespace>\n";
    start(name, domainXml(name, launcher, "/bin/sh", IDLE, "", share));

    assertEquals(netInode, inside(name, "stat -L -c %i /proc/1/ns/net").strip(), "joined the named netns");
    assertEquals(nsInode(ipcHolder.pid(), "ipc"), inside(name, "stat -L -c %i /proc/1/ns/ipc").strip(),
        "joined the ipc namespace of pid " + ipcHolder.pid());
    assertEquals(nsInode(initPid(other), "uts"), inside(name, "stat -L -c %i /proc/1/ns/uts").strip(),
        "joined the uts namespace of " + other);
    assertEquals(nsInode(initPid(name), "uts"), nsInode(initPid(other), "uts"));
    assertNotEquals(nsInode(initPid(name), "pid"), nsInode(initPid(other), "pid"), "its own pid namespace");
    assertEquals(name, inside(other, "hostname").strip(), "libvirt_lxc names a shared uts after the joiner too");
  }

  /** 5. Two consoles: /dev/tty2 is the second, and virsh console --devname console1 reaches it. */
  @Test
  void secondConsoleIsTty2AndReachableAsConsole1() throws Exception {
    String name = "vlxct-paths-tty-" + id;
    Path root = TestController.busyboxRoot(work.resolve("root"));
    String fs = "<filesystem type='mount'><source dir='" + root + "'/><target dir='/'/></filesystem>\n";
    String loop = "(while read l; do echo \"got:$l\" > /tmp/tty2-in; echo \"echo:$l\"; done) </dev/tty2 >/dev/tty2 2>&1 & "
        + IDLE;
    start(name, domainXml(name, launcher, "/bin/sh", loop, fs + "<console type='pty'/>\n", ""));

    String xml = Virsh.run("dumpxml", name).ok().out();
    assertTrue(xml.contains("<alias name='console1'/>"), "libvirt names the second console console1:\n" + xml);
    String mounts = inside(name, "grep -E ' /dev/(console|tty[0-9]+) ' /proc/mounts | cut -d' ' -f2 | sort");
    assertEquals(List.of("/dev/console", "/dev/tty1", "/dev/tty2"), mounts.lines().toList());
    assertNotEquals(inside(name, "stat -c %t:%T /dev/tty1").strip(), inside(name, "stat -c %t:%T /dev/tty2").strip(),
        "tty2 is another pty than tty1");

    String word = "hello-" + id;
    String seen = VirshConsole.exchange(name, "console1", word);
    assertTrue(seen.contains("echo:" + word), "the reader on /dev/tty2 answered through console1:\n" + seen);
    assertEquals("got:" + word, Files.readString(root.resolve("tmp/tty2-in")).strip());
  }

  /** 6. Capability policies: init's bounding and effective sets equal those stock libvirt_lxc gives the same domain. */
  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "<features><capabilities policy='default'><mknod state='on'/><net_raw state='off'/><sys_boot state='off'/>"
          + "</capabilities></features>",
      "<features><capabilities policy='allow'><sys_admin state='off'/><kill state='off'/></capabilities></features>",
      "<features><capabilities policy='deny'><chown state='on'/><net_bind_service state='on'/></capabilities>"
          + "</features>"})
  void capabilitiesMatchStockLibvirtLxc(String features) throws Exception {
    String ours = "vlxct-paths-cap-" + id;
    String stock = "vlxct-paths-capstock-" + id;
    start(ours, domainXml(ours, launcher, "/bin/sh", IDLE, "", features));
    start(stock, domainXml(stock, STOCK_CONTROLLER, "/bin/sh", IDLE, "", features));

    Map<String, String> mine = capabilities(inside(ours, "cat /proc/1/status"));
    Map<String, String> theirs = capabilities(inside(stock, "cat /proc/1/status"));
    System.out.println("features " + (features.isEmpty() ? "(none)" : features) + ": ours " + mine + ", libvirt_lxc "
        + theirs);
    assertEquals(theirs.get("CapBnd"), mine.get("CapBnd"), "bounding set as libvirt_lxc's");
    assertEquals(theirs.get("CapEff"), mine.get("CapEff"), "effective set as libvirt_lxc's");
    if (features.contains("deny")) {
      assertEquals(Long.toHexString((1L << 0) | (1L << 10)), Long.toHexString(Long.parseLong(mine.get("CapBnd"), 16)),
          "deny keeps only chown (0) and net_bind_service (10)");
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  private void start(String name, String xml) throws Exception {
    Path file = work.resolve(name + ".xml");
    Files.writeString(file, xml);
    domains.add(name);
    virsh("define", file.toString()).ok();
    Virsh.Result r = virsh("start", name);
    if (r.status() != 0) {
      Path log = Path.of("/var/log/libvirt/lxc/" + name + ".log");
      String tail = Files.exists(log) ? String.join("\n", lastLines(Files.readAllLines(log), 5)) : "(no log)";
      throw new AssertionError("virsh start " + name + " failed: " + r.err().strip() + "\nlog:\n" + tail);
    }
  }

  /** virsh, retried once if another helper restarts libvirtd under us. */
  private static Virsh.Result virsh(String... args) throws InterruptedException {
    Virsh.Result r = Virsh.run(args);
    if (r.status() != 0 && (r.err().contains("Failed to connect socket") || r.err().contains("failed to connect to the")
        || r.err().contains("Disconnected from"))) {
      Thread.sleep(2000);
      r = Virsh.run(args);
    }
    return r;
  }

  /**
   * Runs {@code sh -c script} inside the domain's namespaces and returns its output (fails on a non-zero status).
   * libvirtd learns init's pid from the controller's INIT event, asynchronously: right after a start it may not
   * have it yet, so that answer is retried for up to 20 s (seen to take over 5 s once).
   */
  private static String inside(String name, String script) throws InterruptedException {
    Virsh.Result r = virsh("lxc-enter-namespace", name, "--noseclabel", "/bin/sh", "-c", script);
    for (int i = 0; i < 100 && r.initPidNotYetKnown(); i++) {
      Thread.sleep(200);
      r = virsh("lxc-enter-namespace", name, "--noseclabel", "/bin/sh", "-c", script);
    }
    if (r.status() != 0) {
      throw new AssertionError("in " + name + ": sh -c '" + script + "' failed: " + r.err().strip());
    }
    return r.out();
  }

  private static String domainXml(String name, Path emulator, String init, String script, String devices,
      String extra) {
    return "<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <memory unit='KiB'>262144</memory>\n"
        + "  <os><type>exe</type><init>" + init + "</init><initarg>-c</initarg><initarg>" + escape(script)
        + "</initarg></os>\n"
        + extra
        + "  <devices>\n"
        + "    <emulator>" + emulator + "</emulator>\n"
        + devices
        + "    <console type='pty'/>\n"
        + "  </devices>\n"
        + "</domain>\n";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void waitFor(Check check, String what) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (!check.ok()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(100);
    }
  }

  private static Map<String, String> capabilities(String status) {
    Map<String, String> caps = new TreeMap<>();
    status.lines().filter(l -> l.startsWith("Cap")).forEach(l -> {
      String[] kv = l.split(":\\s*");
      caps.put(kv[0], kv[1].strip());
    });
    return caps;
  }

  private static List<String> mapLines(String map) {
    return map.lines().map(l -> l.strip().replaceAll("\\s+", " ")).filter(l -> !l.isEmpty()).toList();
  }

  /** For each mount point a container sets up, the mounts there: "fstype source options", in mountinfo order. */
  private static Map<String, List<String>> containerMountPoints(Path mountinfo) throws IOException {
    Map<String, List<String>> m = new TreeMap<>();
    for (String line : Files.readAllLines(mountinfo)) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (CONTAINER_MOUNT_POINTS.contains(f[4])) {
        m.computeIfAbsent(f[4], k -> new ArrayList<>()).add(f[dash + 1] + " " + f[dash + 2] + " " + f[5]);
      }
    }
    return m;
  }

  private static String nsInode(long pid, String ns) {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)).toString();
      return link.replaceAll(".*\\[(\\d+)\\]", "$1");
    } catch (IOException e) {
      throw new AssertionError("unable to read the " + ns + " namespace of pid " + pid, e);
    }
  }

  private static String nspid(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("NSpid:"))
        .findFirst().orElseThrow();
  }

  /** The init of a running domain: the controller's only child. */
  private static long initPid(String name) throws Exception {
    long ctl = Long.parseLong(Files.readString(STATE_DIR.resolve(name + ".pid")).strip());
    long[] found = new long[1];
    waitFor(() -> {
      List<Long> children = ProcessHandle.of(ctl).map(p -> p.children().map(ProcessHandle::pid).toList())
          .orElse(List.of());
      if (children.size() == 1) {
        found[0] = children.get(0);
        return true;
      }
      return false;
    }, "the controller " + ctl + " of " + name + " has one child");
    return found[0];
  }

  /** The running libvirtd's pid; waits a little while another helper restarts it. */
  private static long libvirtdPid() throws Exception {
    Path pidFile = Path.of("/run/libvirtd.pid");
    waitFor(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank()
        && Files.exists(Path.of("/proc", Files.readString(pidFile).strip())), "libvirtd runs (" + pidFile + ")");
    return Long.parseLong(Files.readString(pidFile).strip());
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " failed: " + out.strip());
    }
    return out;
  }

  private static List<String> lastLines(List<String> lines, int n) {
    return lines.subList(Math.max(0, lines.size() - n), lines.size());
  }

}
