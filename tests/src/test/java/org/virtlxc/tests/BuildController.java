package org.virtlxc.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** This build's controller and a busybox root, for tests and benchmarks that boot real domains. */
public final class BuildController {
  public static final Path BUILD_ROOT = Path.of(System.getProperty("virtlxc.build.root", "..")).toAbsolutePath()
      .normalize();

  private BuildController() {}

  /** A launcher like the installed one, on this build's driver jars and native helper. */
  public static Path writeLauncher(Path file) throws IOException {
    return TestController.writeLauncher(file);
  }

  /** A root filesystem with the host's static busybox and a link for every applet it has. */
  public static Path busyboxRoot(Path root) throws IOException {
    return TestController.busyboxRoot(root);
  }

  /** A minimal LXC domain running {@code /bin/sh -c 'sleep 100000'} in {@code rootfs}; no emulator when null. */
  public static String domainXml(String name, Path rootfs, String emulator) {
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
  public static List<String> cmdline(long pid) throws IOException {
    String raw = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
    return List.of(raw.split("\0"));
  }

  public static void deleteTree(Path dir) throws IOException {
    TestController.deleteTree(dir);
  }
}
