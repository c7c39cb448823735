package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One busybox domain of {@link LifecycleIT} under virt-lxc's controller (this build's jars): its rootfs and launcher
 * under {@code /tmp/vlxct-lifecycle-*}, stock virsh to drive it, and the host-side view libvirtd does not give (pid
 * file, the controller's children, cgroup directories, monitor socket). {@link #close()} removes all of it.
 */
final class LifecycleDomain implements AutoCloseable {
  static final Path BUILD_ROOT = Path.of(System.getProperty("virtlxc.build.root", "..")).toAbsolutePath().normalize();
  static final Path STATE_DIR = Path.of("/run/libvirt/lxc");
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** A shell counter loop writing /tmp/counter once a second (and a line to the console). */
  static final String COUNTER_LOOP = Counter.loop("echo vlxct tick $i");

  /**
   * A shell init that speaks the initctl protocol as sysvinit does: it reads 384-byte requests from the FIFO
   * /run/initctl (the first one libvirtd looks for in the container) and acts on the runlevel byte at offset 8:
   * runlevel 0 ends init (exit 0, a shutdown), runlevel 6 reboots the pid namespace ({@code reboot -f}: reboot(2),
   * after which the kernel kills init with SIGHUP). Each boot appends a line to /tmp/boots.
   */
  static final String INITCTL_INIT = "#!/bin/sh\n"
      + "echo boot $$ >> /tmp/boots\n"
      + "rm -f /run/initctl; mkfifo /run/initctl\n"
      + "( " + COUNTER_LOOP + " ) &\n"
      + "while :; do\n"
      + "  lvl=$(dd if=/run/initctl bs=384 count=1 2>/dev/null | dd bs=1 skip=8 count=1 2>/dev/null)\n"
      + "  echo \"runlevel $lvl\" >> /tmp/boots\n"
      + "  case \"$lvl\" in 0) exit 0 ;; 6) reboot -f ;; esac\n"
      + "done\n";

  /** Busybox init's table: a boot marker, the counter as a respawned service, a marker when it shuts down. */
  static final String INITTAB = "::sysinit:/bin/sh -c 'echo boot >> /tmp/boots'\n"
      + "::respawn:/bin/sh -c '" + COUNTER_LOOP + "'\n"
      + "::shutdown:/bin/sh -c 'echo shutdown >> /tmp/boots'\n";

  final String name;
  final Path work;
  final Path rootfs;
  private final Path launcher;

  private LifecycleDomain(String name, Path work) throws IOException {
    this.name = name;
    this.work = work;
    this.rootfs = busyboxRoot(work.resolve("root"));
    this.launcher = TestController.writeLauncher(work.resolve("virt-lxc-controller"));
  }

  /** A fresh, not yet defined domain {@code vlxct-lifecycle-XXXXXXXX}. */
  static LifecycleDomain create() throws IOException {
    String id = UUID.randomUUID().toString().substring(0, 8);
    return new LifecycleDomain("vlxct-lifecycle-" + id, Files.createTempDirectory(Path.of("/tmp"), "vlxct-lifecycle-"));
  }

  /** Defines the domain with {@code init} and its arguments. */
  void define(String init, String... initArgs) throws IOException {
    StringBuilder args = new StringBuilder();
    for (String a : initArgs) {
      args.append("<initarg>").append(a.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
          .append("</initarg>");
    }
    String xml = "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <memory unit='KiB'>262144</memory>\n"
        + "  <vcpu>1</vcpu>\n"
        + "  <os><type>exe</type><init>" + init + "</init>" + args + "</os>\n"
        + "  <devices>\n"
        + "    <emulator>" + launcher + "</emulator>\n"
        + "    <filesystem type='mount'><source dir='" + rootfs + "'/><target dir='/'/></filesystem>\n"
        + "    <console type='pty'/>\n"
        + "  </devices>\n"
        + "</domain>\n";
    Path file = work.resolve("domain.xml");
    Files.writeString(file, xml);
    virsh("define", file.toString()).ok();
  }

  /** Writes an executable file into the container's root. */
  void install(String path, String content) throws IOException {
    Path file = rootfs.resolve(path.substring(1));
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** {@code virsh -c lxc:/// ARGS}, retried once after 2 s if libvirtd was being restarted by someone else. */
  static Virsh.Result virsh(String... args) {
    Virsh.Result r = Virsh.run(args);
    if (r.status() != 0 && r.err().contains("Failed to connect socket")) {
      sleep(2000);
      r = Virsh.run(args);
    }
    return r;
  }

  /** The controller and init of the running domain, as the host sees them. */
  record Running(long controllerPid, long initPid) {}

  /**
   * Waits until libvirtd runs the domain with a controller other than {@code not}, that controller has its init, and
   * libvirtd knows that init.
   */
  Running awaitRunning(long not) {
    long[] found = new long[2];
    await("domain " + name + " running under a controller other than " + not, () -> {
      long ctl = controllerPid();
      if (ctl <= 0 || ctl == not || !virsh("domstate", name).out().strip().equals("running")) {
        return false;
      }
      List<Long> children = ProcessHandle.of(ctl).map(p -> p.children().map(ProcessHandle::pid).toList())
          .orElse(List.of());
      if (children.size() != 1 || !libvirtdKnowsInit(children.get(0))) {
        return false;
      }
      found[0] = ctl;
      found[1] = children.get(0);
      return true;
    });
    return new Running(found[0], found[1]);
  }

  Running awaitRunning() {
    return awaitRunning(0);
  }

  /**
   * Whether libvirtd has recorded {@code init} as the domain's init pid (its status file), having handled the
   * controller's INIT event, which arrives after {@code virsh start} returned; until then shutdown, reboot and
   * lxc-enter-namespace answer "Init process ID is not yet known".
   */
  private boolean libvirtdKnowsInit(long init) {
    try {
      return Files.readString(STATE_DIR.resolve(name + ".xml")).contains("<init pid='" + init + "'/>");
    } catch (IOException e) {
      return false;
    }
  }

  /** The pid in libvirtd's pid file for the domain, or 0. */
  long controllerPid() {
    try {
      return Long.parseLong(Files.readString(STATE_DIR.resolve(name + ".pid")).strip());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** {@code virsh domstate --reason}, e.g. "shut off (shutdown)". */
  String state() {
    return virsh("domstate", "--reason", name).ok().out().strip();
  }

  void awaitState(String stateWithReason) {
    await(name + " in state '" + stateWithReason + "'", () -> state().equals(stateWithReason));
  }

  /** The container's counter, read from the host side of its root (works while it is frozen). */
  int counter() {
    await("counter written in " + name, () -> {
      try {
        return Files.readString(rootfs.resolve("tmp/counter")).strip().matches("\\d+");
      } catch (IOException e) {
        return false;
      }
    });
    try {
      return Counter.read(rootfs);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Lines of /tmp/boots in the container. */
  List<String> boots() {
    try {
      Path f = rootfs.resolve("tmp/boots");
      return Files.exists(f) ? Files.readAllLines(f) : List.of();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  long bootCount() {
    return boots().stream().filter(l -> l.startsWith("boot")).count();
  }

  /** Asserts that what one controller created is gone: its process, the init, its cgroup directories. */
  void assertControllerCleanedUp(Running r) throws IOException {
    await("controller " + r.controllerPid() + " gone", () -> gone(r.controllerPid()));
    await("init " + r.initPid() + " gone", () -> gone(r.initPid()));
    String machineDir = "lxc-" + r.controllerPid() + "-" + name + ".libvirt-lxc";
    await("no cgroup " + machineDir + " left", () -> cgroupDirs(machineDir).isEmpty());
  }

  /** Asserts that a stopped domain left nothing: its controller's resources and the monitor socket. */
  void assertStoppedCleanly(Running r) throws IOException {
    assertControllerCleanedUp(r);
    assertTrue(!Files.exists(STATE_DIR.resolve(name + ".sock")), "monitor socket removed");
    assertTrue(!Files.exists(STATE_DIR.resolve(name + ".pid")), "pid file removed");
  }

  /** Gone, or a zombie (the host's pid 1 reaps lazily). */
  static boolean gone(long pid) {
    Path stat = Path.of("/proc/" + pid + "/stat");
    try {
      String s = Files.readString(stat);
      return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Directories whose name contains {@code fragment} in the {@code /machine} partition of any cgroup hierarchy (where
   * libvirt puts these domains). Only that level is listed: other helpers create and remove cgroups concurrently.
   */
  static List<Path> cgroupDirs(String fragment) {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
      for (Path h : hierarchies.toList()) {
        Path partition = h.resolve("machine");
        if (Files.isSymbolicLink(h) || !Files.isDirectory(partition)) {
          continue;
        }
        try (Stream<Path> s = Files.list(partition)) {
          s.filter(p -> p.getFileName().toString().contains(fragment)).filter(Files::isDirectory).forEach(found::add);
        } catch (NoSuchFileException e) {
          // the partition went away meanwhile
        }
      }
    } catch (IOException e) {
      throw new AssertionError("unable to list cgroups: " + e.getMessage(), e);
    }
    return found;
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for: " + what);
      }
      sleep(200);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * Destroys and undefines the domain, then removes what a killed controller could not (empty cgroup directories of
   * this domain, its socket), its log and the work directory.
   */
  @Override
  public void close() throws IOException {
    virsh("destroy", name);
    virsh("undefine", name);
    for (Path dir : cgroupDirs("-" + name + ".libvirt-lxc")) {
      String leaf = dir.getFileName().toString();
      if (leaf.endsWith("-" + name + ".libvirt-lxc")) {
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          System.out.println("unable to remove " + dir + ": " + e.getMessage());
        }
      }
    }
    Files.deleteIfExists(STATE_DIR.resolve(name + ".sock"));
    Files.deleteIfExists(Path.of("/var/log/libvirt/lxc", name + ".log"));
    try (Stream<Path> s = Files.walk(work)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static Path busyboxRoot(Path root) throws IOException {
    Files.writeString(TestController.busyboxRoot(root).resolve("etc/inittab"), INITTAB);
    return root;
  }

}
