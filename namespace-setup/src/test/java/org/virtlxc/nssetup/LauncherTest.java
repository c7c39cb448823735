package org.virtlxc.nssetup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real launches of a busybox container (needs root). Skipped only on a non-root developer
 * machine; with CI=true a missing root is a failure.
 */
class LauncherTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private final List<ContainerProcess> started = new ArrayList<>();
  private Path rootfs;
  private Path facts;

  @BeforeEach
  void setUp() throws IOException {
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(root, "real launches need root");
    }
    assertTrue(root, "real launches need root");
    rootfs = Files.createTempDirectory("vlxct-rootfs-");
    Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
    facts = Files.createTempDirectory("vlxct-facts-");
    Path bin = Files.createDirectories(rootfs.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
    for (String applet : List.of("sh", "cat", "echo", "hostname", "ls", "mount", "sleep", "pwd")) {
      Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
    }
    for (String dir : List.of("facts", "proc", "sys", "dev")) { // as in a real image (needed in a user namespace)
      Files.createDirectories(rootfs.resolve(dir));
    }
    Files.createDirectories(rootfs.resolve("srv/app"));
  }

  @AfterEach
  void tearDown() throws IOException {
    for (ContainerProcess p : started) {
      p.close(); // SIGKILL + reap if still running: ends its pid and mount namespaces
    }
    deleteTree(rootfs);
    deleteTree(facts);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) { // does not follow symlinks
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private LaunchPlan.Builder plan(String script) {
    return LaunchPlan.builder()
        .create(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC)
        .root(rootfs.toString(), false)
        .standardFilesystems()
        .mount(MountSpec.bind(facts.toString(), "/facts", false))
        .hostname("vlxct-box")
        .argv("/bin/sh", "-c", script)
        .env("container", "lxc-libvirt").env("PATH", "/bin:/sbin")
        .cwd("/srv/app");
  }

  private ContainerProcess launch(LaunchPlan plan) throws LaunchException {
    ContainerProcess p = Launcher.fromSystemProperty().withTimeout(TIMEOUT).launch(plan);
    started.add(p);
    return p;
  }

  private Map<String, String> readFacts() throws IOException {
    Map<String, String> m = new HashMap<>();
    for (String line : Files.readAllLines(facts.resolve("out"))) {
      String[] kv = line.split("=", 2);
      m.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    return m;
  }

  @Test
  void busyboxInitSeesItsOwnNamespacesAndFilesystems() throws Exception {
    String script = String.join("\n",
        "exec > /facts/out",
        "echo pid=$$",
        "echo hostname=$(hostname)",
        "set -- /proc/[0-9]*; echo procs=$#",
        "[ -c /dev/null ] && echo devnull=char",
        "[ -c /dev/pts/ptmx ] && [ -L /dev/ptmx ] && echo ptmx=ok",
        "echo container=$container",
        "echo cwd=$(pwd)",
        "echo rootfs=$(ls /bin/busybox)",
        "cat /proc/self/mounts > /facts/mounts",
        "cat /proc/self/status > /facts/status",
        "exit 0");
    LaunchPlan plan = plan(script).dropCapability("sys_module").dropCapability("mknod").build();
    ContainerProcess init = launch(plan);
    assertTrue(init.pid() > 1);
    assertFalse(Files.exists(facts.resolve("out")), "init must not run before release");
    assertTrue(init.exitStatus().isEmpty());
    init.release(TIMEOUT);
    assertEquals(new ExitStatus(0, 0), init.waitFor());

    Map<String, String> f = readFacts();
    assertEquals("1", f.get("pid"));
    assertEquals("vlxct-box", f.get("hostname"));
    assertTrue(Integer.parseInt(f.get("procs")) <= 3, "processes visible in /proc: " + f.get("procs"));
    assertEquals("char", f.get("devnull"));
    assertEquals("ok", f.get("ptmx"));
    assertEquals("lxc-libvirt", f.get("container"));
    assertEquals("/srv/app", f.get("cwd"));
    assertEquals("/bin/busybox", f.get("rootfs"));

    String mounts = Files.readString(facts.resolve("mounts"));
    assertTrue(mounts.contains("proc /proc proc"), mounts);
    assertTrue(mounts.matches("(?s).*sysfs /sys sysfs ro[,\\s].*"), mounts);
    assertTrue(mounts.contains("devfs /dev tmpfs"), mounts);
    assertTrue(mounts.contains("devpts /dev/pts devpts"), mounts);
    assertFalse(mounts.contains(rootfs.toString() + " "), "old root must be detached: " + mounts);

    String capBnd = Files.readString(facts.resolve("status")).lines()
        .filter(l -> l.startsWith("CapBnd:")).findFirst().orElseThrow().substring(7).trim();
    long bnd = Long.parseUnsignedLong(capBnd, 16);
    assertEquals(0, bnd & (1L << 16), "sys_module must be dropped: " + capBnd);
    assertEquals(0, bnd & (1L << 27), "mknod must be dropped: " + capBnd);
    assertTrue((bnd & (1L << 21)) != 0, "sys_admin must stay: " + capBnd);
  }

  @Test
  void userNamespaceGetsTheIdMapsBeforeInitRuns() throws Exception {
    Files.setPosixFilePermissions(facts, PosixFilePermissions.fromString("rwxrwxrwx"));
    String script = String.join("\n",
        "exec > /facts/out",
        "echo pid=$$",
        "echo uidmap=$(cat /proc/self/uid_map)",
        "echo gidmap=$(cat /proc/self/gid_map)",
        "[ -c /dev/null ] && echo devnull=char",
        "echo hostname=$(hostname)",
        "exit 3");
    LaunchPlan plan = plan(script)
        .create(Namespace.USER, Namespace.NET)
        .uidMap(new IdMapping(0, 100000, 65536)).gidMap(new IdMapping(0, 100000, 65536))
        .uid(0).gid(0)
        .build();
    ContainerProcess init = launch(plan);
    init.release(TIMEOUT);
    assertEquals(new ExitStatus(3, 0), init.waitFor());
    Map<String, String> f = readFacts();
    assertEquals("1", f.get("pid"));
    assertEquals("0 100000 65536", f.get("uidmap").trim());
    assertEquals("0 100000 65536", f.get("gidmap").trim());
    assertEquals("char", f.get("devnull"));
    assertEquals("vlxct-box", f.get("hostname"));
    assertEquals(100000, (int) Files.getAttribute(facts.resolve("out"), "unix:uid"));
  }

  @Test
  void exitStatusPropagates() throws Exception {
    ContainerProcess init = launch(plan("exit 7").build());
    init.release(TIMEOUT);
    assertEquals(new ExitStatus(7, 0), init.waitFor());
  }

  @Test
  void killingInitEndsTheContainer() throws Exception {
    ContainerProcess init = launch(plan("sleep 300").build());
    init.release(TIMEOUT);
    assertTrue(init.exitStatus().isEmpty());
    init.close();
    assertEquals(new ExitStatus(-1, 9), init.waitFor());
  }

  @Test
  void missingInitBinaryFailsClearlyBeforeRelease() {
    LaunchPlan plan = plan("true").argv("/bin/vlxct-no-such-init").build();
    LaunchException e = assertThrows(LaunchException.class, () -> launch(plan));
    assertEquals("virt-lxc-init: unable to find init /bin/vlxct-no-such-init: No such file or directory", e.getMessage());
  }

  @Test
  void anFdThatIsNoNamespaceFailsClearlyNamingTheSharedNamespace() {
    int[] pipe = new int[2];
    Libc.INSTANCE.pipe2(pipe, Libc.O_CLOEXEC);
    try {
      LaunchPlan plan = plan("true").join(Namespace.NET, pipe[0]).build();
      LaunchException e = assertThrows(LaunchException.class, () -> launch(plan));
      assertTrue(e.getMessage().startsWith("virt-lxc-init: unable to join the shared net namespace (fd ")
          && e.getMessage().endsWith("): Invalid argument"), e.getMessage());
    } finally {
      Libc.INSTANCE.close(pipe[0]);
      Libc.INSTANCE.close(pipe[1]);
    }
  }

  @Test
  void missingRootFilesystemFailsClearly() {
    LaunchPlan plan = plan("true").root("/nonexistent/vlxct-root", false).build();
    LaunchException e = assertThrows(LaunchException.class, () -> launch(plan));
    assertEquals("virt-lxc-init: unable to mount /nonexistent/vlxct-root on /nonexistent/vlxct-root: No such file or directory",
        e.getMessage());
  }

  @Test
  void initRunsAsTheRequestedUserWithReadOnlyBindAndTmpfs() throws Exception {
    Path shared = Files.createDirectories(facts.resolve("ro"));
    Files.setPosixFilePermissions(facts, PosixFilePermissions.fromString("rwxrwxrwx"));
    String script = String.join("\n",
        "exec > /facts/out",
        "echo uid=$(cat /proc/self/status | while read k v rest; do [ \"$k\" = Uid: ] && echo $v; done)",
        "( echo x > /ro/file ) 2>/dev/null && echo rowrite=yes || echo rowrite=no",
        "cat /proc/self/mounts > /facts/mounts",
        "exit 0");
    LaunchPlan plan = plan(script)
        .mount(MountSpec.bind(shared.toString(), "/ro", true))
        .mount(MountSpec.tmpfs("/scratch", 1 << 20, false))
        .uid(1234).gid(1234)
        .build();
    ContainerProcess init = launch(plan);
    init.release(TIMEOUT);
    assertEquals(0, init.waitFor().code());
    Map<String, String> f = readFacts();
    assertEquals("1234", f.get("uid"));
    assertEquals("no", f.get("rowrite"));
    String mounts = Files.readString(facts.resolve("mounts"));
    assertTrue(mounts.matches("(?s).*tmpfs /scratch tmpfs rw,[^\\n]*size=1024k.*"), mounts);
  }
}
