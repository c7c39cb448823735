package org.virtlxc.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Two simulated hosts on this machine, for migration tests: {@link #a()} and {@link #b()}, each a
 * {@link SimulatedHost} with its own network, mount and cgroup namespaces and its own {@code libvirtd}, joined by a veth
 * pair ({@link SimulatedHost#PEER_DEV} in each, {@code 10.251.N.1/24} on a and {@code .2/24} on b).
 *
 * <pre>{@code
 * try (TwoHosts hosts = TwoHosts.start("vlxct-migrate-")) {
 *   Path root = TestController.busyboxRoot(hosts.shared().resolve("root"));  // same path on both hosts
 *   // domain XML with <emulator>hosts.controller()</emulator> and that root
 *   hosts.a().virsh("define", xml).ok();  hosts.a().virsh("start", name).ok();
 *   hosts.a().virtLxc("save", name, image).ok();         // the virt-lxc command of this build, inside host a
 *   hosts.b().virtLxc("restore", image).ok();            // migration by file
 *   hosts.a().run("ping", "-c", "1", hosts.b().address()).ok();
 * }
 * }</pre>
 *
 * Everything is named {@code PREFIX + 6 random hex digits} ({@link #id()}): the work directory {@code /tmp/ID}
 * (private directories of the hosts, {@link #shared()}, the launchers), the hosts {@code ID-a} and {@code ID-b}
 * (network namespaces, cgroup directories). {@link #close()} removes all of it, the hosts' domains and processes
 * included, even after a failed test. Needs root, v1 cgroup hierarchies (the hybrid layout), iproute2, util-linux's
 * {@code nsenter}/{@code unshare} and libvirtd 9.0 with the LXC driver.
 */
public final class TwoHosts implements AutoCloseable {
  private final String id;
  private final Path work;
  private final Path shared;
  private final Path controller;
  private final Path virtLxc;
  private final List<SimulatedHost> hosts = new ArrayList<>();

  private TwoHosts(String id, Path work) throws IOException {
    this.id = id;
    this.work = work;
    this.shared = Files.createDirectories(work.resolve("shared"));
    this.controller = TestController.writeLauncher(work.resolve("virt-lxc-controller"));
    this.virtLxc = writeVirtLxcLauncher(work.resolve("virt-lxc"), controller);
  }

  /** Makes both hosts; {@code prefix} must start with {@code vlxct-TAG-}. Removes everything again if that fails. */
  public static TwoHosts start(String prefix) throws IOException {
    if (!prefix.startsWith("vlxct-")) {
      throw new IllegalArgumentException("prefix '" + prefix + "' must start with vlxct-TAG-");
    }
    String id = prefix + UUID.randomUUID().toString().substring(0, 6);
    Path work = Files.createDirectory(Path.of("/tmp", id));
    TwoHosts two = null;
    try {
      two = new TwoHosts(id, work);
      int n = HostNetwork.freeSubnet("10.251", "10.251", "fd51:ee");
      two.hosts.add(SimulatedHost.create(id + "-a", work.resolve("a"), "10.251." + n + ".1", two.virtLxc));
      two.hosts.add(SimulatedHost.create(id + "-b", work.resolve("b"), "10.251." + n + ".2", two.virtLxc));
      two.link();
      return two;
    } catch (IOException | RuntimeException | Error e) {
      try {
        if (two != null) {
          two.close();
        } else {
          TestController.deleteTree(work);
        }
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Host a ({@code ID-a}, address {@code 10.251.N.1}). */
  public SimulatedHost a() {
    return hosts.get(0);
  }

  /** Host b ({@code ID-b}, address {@code 10.251.N.2}). */
  public SimulatedHost b() {
    return hosts.get(1);
  }

  /** {@code PREFIX + 6 hex digits}: the name every resource of these hosts starts with. */
  public String id() {
    return id;
  }

  /** A directory both hosts see at the same path (shared storage: root filesystems, save images). */
  public Path shared() {
    return shared;
  }

  /** The launcher of this build's controller, for a domain's {@code <emulator>} (same path on both hosts). */
  public Path controller() {
    return controller;
  }

  /** The launcher of this build's {@code virt-lxc} command (its {@code define} names {@link #controller()}). */
  public Path virtLxc() {
    return virtLxc;
  }

  /** Removes both hosts ({@link SimulatedHost#close()}) and the work directory; reports every failure at the end. */
  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (SimulatedHost h : hosts) {
      try {
        h.close();
      } catch (IOException | RuntimeException e) {
        if (failure == null) {
          failure = new IOException("clean-up of " + id + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    TestController.deleteTree(work);
    if (failure != null) {
      throw failure;
    }
  }

  /** The veth pair between the hosts: made in a's namespace with its peer in b's, so it never exists on the host. */
  private void link() {
    String na = a().name();
    String nb = b().name();
    HostNetwork.run("ip", "-n", na, "link", "add", SimulatedHost.PEER_DEV, "type", "veth", "peer", "name",
        SimulatedHost.PEER_DEV, "netns", nb).ok();
    for (SimulatedHost h : hosts) {
      HostNetwork.run("ip", "-n", h.name(), "addr", "add", h.address() + "/24", "dev", SimulatedHost.PEER_DEV).ok();
      HostNetwork.run("ip", "-n", h.name(), "link", "set", SimulatedHost.PEER_DEV, "up").ok();
    }
  }

  /** A launcher like the installed {@code /usr/local/bin/virt-lxc}, on this build's virsh-plugin jars. */
  private static Path writeVirtLxcLauncher(Path file, Path controller) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path target = TestController.BUILD_ROOT.resolve("virsh-plugin/target");
    Path jar;
    try (Stream<Path> s = Files.list(target)) {
      jar = s.filter(p -> p.getFileName().toString().matches("virsh-plugin-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().endsWith("-tests.jar")).findFirst()
          .orElseThrow(() -> new IOException("virsh-plugin jar not built in " + target));
    }
    // as the installed launcher: migrate and migration-service get the optimizing JIT (TLS, SHA-256 of the image)
    Files.writeString(file, "#!/bin/sh\nJIT=-XX:TieredStopAtLevel=1\nfor a in \"$@\"; do case \"$a\" in"
        + " migrate|migration-service) JIT=-XX:TieredStopAtLevel=4 ;; esac; done\nexec " + java
        + " -XX:+UseSerialGC $JIT -Xss512k ${VIRT_LXC_JAVA_OPTS:-}"
        + " -Dvirtlxc.controller=" + controller + TestController.criuProperty()
        + " -cp '" + jar + ":" + target.resolve("lib") + "/*' org.virtlxc.cli.VirtLxc \"$@\"\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }
}
