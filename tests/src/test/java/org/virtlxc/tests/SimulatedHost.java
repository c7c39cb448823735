package org.virtlxc.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * One host of {@link TwoHosts}: a network namespace, a mount namespace and a cgroup namespace of its own, held open by
 * a {@code sleep infinity} "holder" process, with its own {@code libvirtd -d} inside. Made and removed by
 * {@link TwoHosts}.
 *
 * <ul>
 *   <li>Network: network namespace {@link #name()} (in {@code /run/netns}) with {@code lo} and interface
 *       {@value #PEER_DEV}, address {@link #address()}/24, the other end of which is in the other host.</li>
 *   <li>Mounts: a fresh sysfs (so {@code /sys/class/net} shows this host's interfaces), cgroupfs remounted from inside
 *       the host's cgroup namespace (no cgroup2 {@code unified} mount: stock libvirt_lxc fails with it), and each of
 *       {@link #PRIVATE_DIRS} replaced by a bind mount of a directory of its own, which the root namespace sees at
 *       {@link #hostPath}. Everything else ({@code /tmp}, {@code /var/tmp}, the build tree) is the same on both
 *       hosts: shared storage. Mounts the root namespace makes after the host came up are not seen inside.</li>
 *   <li>Cgroups: directory {@link #name()} at the top of every v1 hierarchy ({@link #cgroupDirs()}), which is the root
 *       of the host's cgroup namespace: libvirt's {@code /machine/lxc-PID-NAME.libvirt-lxc} lands in
 *       {@code /NAME/machine/…} as the root namespace sees it.</li>
 *   <li>libvirtd: pid file and sockets in the host's {@code /run/libvirt}; reached from the test through {@link #uri()}
 *       (a {@code socket=} URI in the root namespace), {@link #virsh} or {@link #connect()}.</li>
 * </ul>
 *
 * {@link #command}, {@link #run} and {@link #virtLxc} run a program inside the host (its mount, network and cgroup
 * namespaces, moved into its cgroups), as a process started on that host would run.
 */
public final class SimulatedHost implements AutoCloseable {
  /** The directories libvirtd 9.0 and virt-lxc keep state, sockets, logs and domain definitions in. */
  public static final List<String> PRIVATE_DIRS = List.of("/run/libvirt", "/etc/libvirt", "/var/lib/libvirt",
      "/var/log/libvirt", "/var/cache/libvirt", "/run/virt-lxc", "/var/lib/virt-lxc");
  /** The name of the veth end that joins the two hosts, in each host's network namespace. */
  public static final String PEER_DEV = "vlxct-peer";
  static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
  private static final String PIDFILE = "/run/libvirt/libvirtd.pid";
  /** Moves the shell into the host's cgroups (the roots of its cgroup namespace), then runs the command. */
  private static final String ENTER = "for f in /sys/fs/cgroup/*/cgroup.procs; do echo $$ > \"$f\"; done; exec \"$@\"";

  private final String name;
  private final Path dir;
  private final String address;
  private final Path virtLxcLauncher;
  private final List<Path> cgroupDirs = new ArrayList<>();
  private Process holder;
  private long libvirtdPid;

  /** What a command run inside the host printed and how it ended. */
  public record Result(String command, int status, String out, String err) {
    /** This result, or an AssertionError with the command's output unless it exited 0. */
    public Result ok() {
      if (status != 0) {
        throw new AssertionError(command + " failed with status " + status + ": " + err.strip() + " " + out.strip());
      }
      return this;
    }
  }

  private SimulatedHost(String name, Path dir, String address, Path virtLxcLauncher) {
    this.name = name;
    this.dir = dir;
    this.address = address;
    this.virtLxcLauncher = virtLxcLauncher;
  }

  /**
   * Makes host {@code name} (netns, cgroups, holder, private directories under {@code dir}, libvirtd) with
   * {@code address} on {@link #PEER_DEV} once {@link TwoHosts} has made the veth pair. Removes what it made on failure.
   */
  static SimulatedHost create(String name, Path dir, String address, Path virtLxcLauncher) throws IOException {
    SimulatedHost host = new SimulatedHost(name, dir, address, virtLxcLauncher);
    try {
      host.makeNamespaces();
      host.startLibvirtd();
      return host;
    } catch (IOException | RuntimeException | Error e) {
      try {
        host.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The host's name: its network namespace, its cgroup directories and the prefix of everything it made. */
  public String name() {
    return name;
  }

  /** This host's address on {@link #PEER_DEV} (prefix 24), which the other host reaches. */
  public String address() {
    return address;
  }

  /** libvirt URI of this host's libvirtd from the root namespace: {@code lxc:///system?socket=…}. */
  public String uri() {
    return "lxc:///system?socket=" + hostPath("/run/libvirt/libvirt-sock");
  }

  /** Pid of this host's libvirtd. */
  public long libvirtdPid() {
    return libvirtdPid;
  }

  /** Pid of the process holding the host's namespaces ({@code nsenter -t PID -m -n -C} enters them). */
  public long holderPid() {
    return holder.pid();
  }

  /** Where the root namespace sees {@code pathInHost}: itself, unless it is under one of {@link #PRIVATE_DIRS}. */
  public Path hostPath(String pathInHost) {
    for (String d : PRIVATE_DIRS) {
      if (pathInHost.equals(d) || pathInHost.startsWith(d + "/")) {
        return dir.resolve("fs").resolve(pathInHost.substring(1));
      }
    }
    return Path.of(pathInHost);
  }

  /** The host's cgroup directory in each v1 hierarchy, e.g. {@code /sys/fs/cgroup/memory/NAME}. */
  public List<Path> cgroupDirs() {
    return List.copyOf(cgroupDirs);
  }

  /**
   * A process builder that runs {@code command} inside this host, e.g. a long-running service (start it yourself and
   * end it by its pid; {@link #close()} kills whatever is still in the host's cgroups anyway).
   */
  public ProcessBuilder command(String... command) {
    List<String> c = new ArrayList<>(List.of("nsenter", "-t", Long.toString(holder.pid()), "-m", "-n", "-C", "--",
        "sh", "-c", ENTER, "in-" + name));
    c.addAll(List.of(command));
    return new ProcessBuilder(c).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
  }

  /** Runs {@code command} inside this host and waits for it (3 minutes at most). */
  public Result run(String... command) {
    return waitFor(command(command), String.join(" ", command));
  }

  /** {@code virsh -c URI ARGS...} against this host's libvirtd, from the root namespace. */
  public Virsh.Result virsh(String... args) {
    return Virsh.runOn(uri(), args);
  }

  /** The {@code virt-lxc} command of this build ({@link TwoHosts#virtLxc()}) run inside this host. */
  public Result virtLxc(String... args) {
    List<String> c = new ArrayList<>(List.of(virtLxcLauncher.toString()));
    c.addAll(List.of(args));
    return run(c.toArray(String[]::new));
  }

  /**
   * Defines on this host a domain named {@code name} (with {@code uuid}) whose root filesystem is {@code root}, init
   * {@code init -c SCRIPT}, one console, {@code controller} as its {@code <emulator>} and {@code devices} (XML) added;
   * the XML file is written next to {@code root} (a path as this host sees it).
   */
  public void defineBusybox(String name, String uuid, Path root, String init, String script, String devices,
      Path controller) throws IOException {
    defineBusybox(name, uuid, root, init, script, devices, controller, 128);
  }

  /** As above, with a memory limit of {@code memoryMib} MiB (instead of 128). */
  public void defineBusybox(String name, String uuid, Path root, String init, String script, String devices,
      Path controller, int memoryMib) throws IOException {
    // next to the root as this host sees it; virsh (run here, talking to this host's libvirtd) reads it
    Path xml = hostPath(root.resolveSibling(root.getFileName() + "-" + name() + ".xml").toString());
    Files.writeString(xml, "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <uuid>" + uuid + "</uuid>\n"
        + "  <memory unit='MiB'>" + memoryMib + "</memory>\n"
        + "  <os><type>exe</type><init>" + init + "</init><initarg>-c</initarg><initarg>"
        + script.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</initarg></os>\n"
        + "  <devices>\n"
        + "    <emulator>" + controller + "</emulator>\n"
        + "    <filesystem type='mount'><source dir='" + root + "'/><target dir='/'/></filesystem>\n"
        + "    <console type='pty'/>\n"
        + devices
        + "  </devices>\n"
        + "</domain>\n");
    virsh("define", xml.toString()).ok();
  }

  /** A libvirt-java connection to this host's libvirtd (close it yourself). */
  public Connect connect() throws LibvirtException {
    return new Connect(uri());
  }

  /** Starts this host's {@code libvirtd -d} and waits until it answers (30 s at most). */
  public void startLibvirtd() throws IOException {
    run("env", "LIBVIRT_LOG_OUTPUTS=3:file:/var/log/libvirt/libvirtd.log", "libvirtd", "-d", "-p", PIDFILE).ok();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Path pidfile = hostPath(PIDFILE);
    while (true) {
      if (Files.isReadable(pidfile) && Virsh.runOn(uri(), "uri").status() == 0) {
        libvirtdPid = Long.parseLong(Files.readString(pidfile).strip());
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("libvirtd of " + name + " does not answer on " + uri() + " after 30 s; see "
            + hostPath("/var/log/libvirt/libvirtd.log"));
      }
      Virsh.sleep2s();
    }
  }

  /** Stops this host's libvirtd (SIGTERM, SIGKILL after 10 s); its domains keep running, as on a real host. */
  public void stopLibvirtd() {
    if (libvirtdPid > 0 && isOurLibvirtd(libvirtdPid)) {
      ProcessHandle.of(libvirtdPid).ifPresent(p -> {
        p.destroy();
        awaitGone(p, Duration.ofSeconds(10));
        if (p.isAlive() && !Leftovers.isZombie(p.pid())) {
          p.destroyForcibly();
          awaitGone(p, Duration.ofSeconds(5));
        }
      });
    }
    libvirtdPid = 0;
  }

  /**
   * Destroys and undefines every domain of this host, stops its libvirtd, kills whatever is still in its cgroups (its
   * processes only), ends the holder, and removes the network namespace (and so the veth), the cgroup directories and
   * the private directories. Safe to call on a half-made host and more than once.
   */
  @Override
  public void close() throws IOException {
    List<String> problems = new ArrayList<>();
    if (libvirtdPid > 0) {
      try {
        removeDomains();
      } catch (RuntimeException | Error e) {
        problems.add(e.getMessage());
      }
    }
    stopLibvirtd();
    killRemainingTasks();
    if (holder != null) {
      holder.destroyForcibly();
      try {
        holder.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (Files.exists(Path.of("/run/netns", name))) {
      HostNetwork.Result del = HostNetwork.run("ip", "netns", "del", name);
      if (del.status() != 0) {
        problems.add("ip netns del " + name + ": " + del.out().strip());
      }
    }
    problems.addAll(removeCgroupDirs());
    try {
      TestController.deleteTree(dir);
    } catch (IOException e) {
      problems.add("unable to delete " + dir + ": " + e);
    }
    if (!problems.isEmpty()) {
      throw new IOException("clean-up of " + name + " left: " + String.join("; ", problems));
    }
  }

  private void makeNamespaces() throws IOException {
    for (String d : PRIVATE_DIRS) {
      Files.createDirectories(hostPath(d));
    }
    try (Stream<Path> conf = Files.list(Path.of("/etc/libvirt"))) { // configuration, not domains or networks
      for (Path f : conf.filter(Files::isRegularFile).toList()) {
        Files.copy(f, hostPath("/etc/libvirt").resolve(f.getFileName()));
      }
    }
    HostNetwork.run("ip", "netns", "add", name).ok();

    StringBuilder mounts = new StringBuilder();
    StringBuilder procs = new StringBuilder();
    for (String[] h : cgroupHierarchies()) {
      Path cg = Files.createDirectories(Path.of(h[0], name));
      cgroupDirs.add(cg);
      if (Files.exists(cg.resolve("cpuset.cpus"))) { // a new cpuset has none: copy the root's
        Files.writeString(cg.resolve("cpuset.cpus"), Files.readString(Path.of(h[0], "cpuset.cpus")).strip());
        Files.writeString(cg.resolve("cpuset.mems"), Files.readString(Path.of(h[0], "cpuset.mems")).strip());
      }
      procs.append(' ').append(cg.resolve("cgroup.procs"));
      mounts.append("mkdir -p ").append(h[0]).append("\nmount -t cgroup -o ").append(h[1]).append(" cgroup ")
          .append(h[0]).append('\n');
    }
    StringBuilder binds = new StringBuilder();
    for (String d : PRIVATE_DIRS) {
      binds.append("mkdir -p ").append(d).append("\nmount --bind ").append(hostPath(d)).append(' ').append(d)
          .append('\n');
    }
    Path inside = dir.resolve("inside.sh");
    Files.writeString(inside, "# runs in the new mount and cgroup namespaces of host " + name + "\nset -e\n"
        + "umount -R /sys\nmount -t sysfs sysfs /sys\nmount -t tmpfs -o mode=755 " + name + " /sys/fs/cgroup\n"
        + mounts + binds + "ip link set lo up\necho ready\nexec sleep infinity\n");
    Path outer = dir.resolve("holder.sh");
    Files.writeString(outer, "# holds the namespaces of host " + name + ", started in its network namespace\nset -e\n"
        + "for f in" + procs + "; do echo $$ > \"$f\"; done\n"
        + "exec unshare --mount --cgroup --propagation private -- sh " + inside + "\n");
    Path log = dir.resolve("holder.log");
    holder = new ProcessBuilder("nsenter", "--net=/run/netns/" + name, "sh", outer.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!Files.readString(log).contains("ready")) {
      if (!holder.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("host " + name + " could not be set up: " + Files.readString(log).strip());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** Mount point and mount options (without rw) of each v1 hierarchy mounted in this process's namespace. */
  private static List<String[]> cgroupHierarchies() throws IOException {
    List<String[]> found = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      int dash = line.indexOf(" - ");
      String[] pre = line.substring(0, dash).split(" ");
      String[] post = line.substring(dash + 3).split(" ");
      if (post[0].equals("cgroup") && pre[3].equals("/")) {
        List<String> opts = new ArrayList<>(List.of(post[2].split(",")));
        opts.remove("rw");
        found.add(new String[] {pre[4], String.join(",", opts)});
      }
    }
    if (found.isEmpty()) {
      throw new IOException("no cgroup v1 hierarchy mounted: TwoHosts needs the hybrid or v1 layout");
    }
    return found;
  }

  private void removeDomains() {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      Virsh.Result list = virsh("list", "--all", "--name");
      List<String> names = list.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
      if (list.status() == 0 && names.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("domains of " + name + " could not be removed: " + names + " " + list.err().strip());
      }
      for (String n : names) {
        virsh("destroy", n);
        virsh("undefine", n);
      }
      if (list.status() != 0) {
        Virsh.sleep2s();
      }
    }
  }

  /** SIGKILLs every process still in the host's cgroups but the holder: only what was started inside this host. */
  private void killRemainingTasks() {
    for (int attempt = 0; attempt < 20; attempt++) {
      List<Long> pids = tasks();
      if (holder != null) {
        pids.remove(holder.pid());
      }
      pids.removeIf(Leftovers::isZombie);
      if (pids.isEmpty()) {
        return;
      }
      if (attempt == 0) {
        System.err.println("host " + name + ": killing what is left in its cgroups: " + pids);
      }
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private List<Long> tasks() {
    List<Long> pids = new ArrayList<>();
    for (Path cg : cgroupDirs) {
      try (Stream<Path> s = Files.walk(cg)) {
        for (Path procs : s.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
          for (String line : Files.readAllLines(procs)) {
            long pid = Long.parseLong(line.strip());
            if (!pids.contains(pid)) {
              pids.add(pid);
            }
          }
        }
      } catch (IOException | UncheckedIOException e) {
        // removed meanwhile
      }
    }
    return pids;
  }

  private List<String> removeCgroupDirs() {
    List<String> left = new ArrayList<>();
    for (int attempt = 0; attempt < 40; attempt++) {
      left.clear();
      for (Path cg : cgroupDirs) {
        if (!Files.exists(cg)) {
          continue;
        }
        try (Stream<Path> s = Files.walk(cg)) {
          for (Path d : s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
            try {
              Files.deleteIfExists(d);
            } catch (IOException e) {
              left.add("cgroup " + d);
            }
          }
        } catch (IOException | UncheckedIOException e) {
          left.add("cgroup " + cg + ": " + e);
        }
      }
      if (left.isEmpty()) {
        return left;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return left;
  }

  private static boolean isOurLibvirtd(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/comm")).strip().equals("libvirtd");
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitGone(ProcessHandle p, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (p.isAlive() && !Leftovers.isZombie(p.pid()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static Result waitFor(ProcessBuilder pb, String what) {
    try {
      Process p = pb.start();
      // stderr on its own thread: a chatty command must not block on a full pipe while we read stdout
      java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return p.getErrorStream().readAllBytes();
        } catch (IOException e) {
          return new byte[0];
        }
      });
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(what + " did not finish in " + COMMAND_TIMEOUT);
      }
      return new Result(what, p.exitValue(), new String(out, StandardCharsets.UTF_8),
          new String(err.join(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("unable to run " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + what, e);
    }
  }
}
