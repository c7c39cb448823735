package org.virtlxc.tests.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.stream.Stream;
import org.virtlxc.tests.Virsh;

/**
 * A busybox domain under this build's controller whose init is {@code memtouch MIB}: defined on creation, destroyed
 * and undefined by the {@link Cleanup}.
 */
final class VirtLxcDomain {
  private static final Path STATE_DIR = Path.of("/run/libvirt/lxc");

  private final String name;
  private final String uuid = UUID.randomUUID().toString();
  private final int mib;

  /** {@code controller}: the program for {@code <emulator>}, or null for a launcher of this build's jars. */
  VirtLxcDomain(String name, Path dir, Path rootfs, int mib, Path buildRoot, Path controller, Cleanup cleanup)
      throws Exception {
    this.name = name;
    this.mib = mib;
    Path launcher = controller != null ? controller : writeLauncher(dir.resolve("virt-lxc-controller"), buildRoot);
    Path xml = dir.resolve("domain.xml");
    Files.writeString(xml, "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <uuid>" + uuid + "</uuid>\n"
        + "  <memory unit='MiB'>" + (mib + 512) + "</memory>\n"
        + "  <vcpu>1</vcpu>\n"
        + "  <os><type>exe</type><init>/memtouch</init><initarg>" + mib + "</initarg></os>\n"
        + "  <devices>\n"
        + "    <emulator>" + launcher + "</emulator>\n"
        + "    <filesystem type='mount'><source dir='" + rootfs + "'/><target dir='/'/></filesystem>\n"
        + "    <console type='pty'/>\n"
        + "  </devices>\n"
        + "</domain>\n");
    cleanup.add("destroy and undefine domain " + name, () -> Virsh.destroyAndUndefine(name));
    Virsh.run("define", xml.toString()).ok();
  }

  String name() {
    return name;
  }

  /** Drops a pending restore a failed start left (marker and the images it owns). */
  void removePendingRestore() throws Exception {
    java.util.Optional<org.virtlxc.checkpoint.PendingRestore> p = org.virtlxc.checkpoint.PendingRestore.find(uuid);
    if (p.isPresent()) {
      p.get().discard();
    }
  }

  /** Starts the domain and waits until its init has filled its memory. */
  void startAndFill() throws Exception {
    Virsh.run("start", name).ok();
    awaitFilled();
  }

  void awaitFilled() throws Exception {
    Host.awaitResident(initPid(name), mib, "init of " + name);
  }

  /** The host pid of the running domain's init (the controller's only child). */
  static long initPid(String name) throws Exception {
    long ctl = Long.parseLong(Files.readString(STATE_DIR.resolve(name + ".pid")).strip());
    return Host.onlyChild(ctl);
  }

  /** A launcher like the installed one, on this build's jars and native helper (as the integration tests write). */
  private static Path writeLauncher(Path file, Path buildRoot) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path driverTarget = buildRoot.resolve("driver/target");
    Path jar;
    try (Stream<Path> s = Files.list(driverTarget)) {
      jar = s.filter(p -> p.getFileName().toString().matches("driver-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().endsWith("-tests.jar")).findFirst()
          .orElseThrow(() -> new IOException("driver jar not built in " + driverTarget));
    }
    Path helper = buildRoot.resolve("namespace-setup/target/native/virt-lxc-init");
    if (!Files.isExecutable(helper)) {
      throw new IOException("native helper not built: " + helper);
    }
    Files.writeString(file, "#!/bin/sh\n"
        + "exec " + java + " -XX:+UseSerialGC -Xmx32m -Xss512k -XX:TieredStopAtLevel=1"
        + " -Dvirtlxc.init=" + helper
        + " -cp '" + jar + ":" + driverTarget.resolve("lib") + "/*' org.virtlxc.driver.ControllerMain \"$@\"\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }
}
