package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** What an integration test needs to run a domain under this build's controller: launcher, busybox root, clean-up. */
final class TestController {
  static final Path BUILD_ROOT = Path.of(System.getProperty("virtlxc.build.root", "..")).toAbsolutePath().normalize();

  private TestController() {}

  /** A launcher like the installed one, on this build's jars and native helper. */
  static Path writeLauncher(Path file) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path driverTarget = BUILD_ROOT.resolve("driver/target");
    Path jar;
    try (Stream<Path> s = Files.list(driverTarget)) {
      jar = s.filter(p -> p.getFileName().toString().matches("driver-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().endsWith("-tests.jar")).findFirst()
          .orElseThrow(() -> new IOException("driver jar not built in " + driverTarget));
    }
    Path helper = BUILD_ROOT.resolve("namespace-setup/target/native/virt-lxc-init");
    assertTrue(Files.isExecutable(helper), "native helper built: " + helper);
    String script = "#!/bin/sh\n"
        + "exec " + java + " -XX:+UseSerialGC -Xmx32m -Xss512k -XX:TieredStopAtLevel=1"
        + " -Dvirtlxc.init=" + helper + criuProperty()
        + " -cp '" + jar + ":" + driverTarget.resolve("lib") + "/*' org.virtlxc.driver.ControllerMain \"$@\"\n";
    Files.writeString(file, script);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /** A root filesystem with the host's static busybox and a link for every applet it has. */
  static Path busyboxRoot(Path root) throws IOException {
    for (String d : List.of("bin", "sbin", "tmp", "proc", "sys", "dev", "etc", "root", "run")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    Process p = new ProcessBuilder("/bin/busybox", "--list").redirectErrorStream(true).start();
    List<String> applets = new String(p.getInputStream().readAllBytes()).lines().filter(a -> !a.isBlank()).toList();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while listing busybox's applets", e);
    }
    for (String applet : applets) {
      if (!applet.equals("busybox")) {
        Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
      }
    }
    return root;
  }

  /** The single child of the controller {@code ctl} (the container's init), waited for up to 5 s. */
  static long onlyChild(long ctl) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      List<Long> children = ProcessHandle.of(ctl).map(p -> p.children().map(ProcessHandle::pid).toList())
          .orElse(List.of());
      if (children.size() == 1) {
        return children.get(0);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("controller " + ctl + " has no single child (init)");
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** {@code -Dvirtlxc.criu=PATH} when the tests run with another CRIU ({@code mvn verify -Dvirtlxc.criu=PATH}). */
  static String criuProperty() {
    String criu = System.getProperty("virtlxc.criu");
    return criu == null || criu.isBlank() ? "" : " -Dvirtlxc.criu=" + criu;
  }

  /** A minimal LXC domain running {@code /bin/sh -c 'sleep 100000'} in {@code rootfs}; no emulator when null. */
  static String domainXml(String name, Path rootfs, String emulator) {
    return "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <memory unit='KiB'>131072</memory>\n"
        + "  <vcpu>1</vcpu>\n"
        + "  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>sleep 100000</initarg></os>\n"
        + "  <devices>\n"
        + (emulator == null ? "" : "    <emulator>" + emulator + "</emulator>\n")
        + "    <filesystem type='mount'><source dir='" + rootfs + "'/><target dir='/'/></filesystem>\n"
        + "    <console type='pty'/>\n"
        + "  </devices>\n"
        + "</domain>\n";
  }

  /** The NUL-separated command line of a process, as a list. */
  static List<String> cmdline(long pid) throws IOException {
    return List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
  }
}
