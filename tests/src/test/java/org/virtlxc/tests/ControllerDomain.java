package org.virtlxc.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A throw-away LXC domain under virt-lxc's controller (run from this build's jars): a work directory
 * {@code /tmp/PREFIX-RANDOM} with a busybox root and a controller launcher, a unique domain name, and
 * {@link #close()}, which destroys and undefines the domain and deletes the directory whatever happened.
 */
final class ControllerDomain implements AutoCloseable {
  static final Path BUILD_ROOT = Path.of(System.getProperty("virtlxc.build.root", "..")).toAbsolutePath().normalize();
  static final String SLEEP_LOOP = "while :; do sleep 1; done";

  final String name;
  final Path work;
  final Path rootfs;
  final Path launcher;

  /** A new domain named {@code prefix} plus 8 random characters (prefix must start with vlxct-TAG-). */
  ControllerDomain(String prefix) throws IOException {
    name = prefix + UUID.randomUUID().toString().substring(0, 8);
    work = Files.createTempDirectory(Path.of("/tmp"), prefix);
    rootfs = TestController.busyboxRoot(work.resolve("root"));
    launcher = TestController.writeLauncher(work.resolve("virt-lxc-controller"));
  }

  /**
   * Domain XML with {@code top} after {@code <vcpu>}, init {@code /bin/sh -c SCRIPT}, the root filesystem
   * {@code rootSource} and {@code devices} inside {@code <devices>}.
   */
  String xml(String top, String init, List<String> initArgs, Path rootSource, String devices) {
    StringBuilder args = new StringBuilder();
    for (String a : initArgs) {
      args.append("<initarg>").append(a.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
          .append("</initarg>");
    }
    return "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <memory unit='KiB'>524288</memory>\n"
        + "  <vcpu>1</vcpu>\n"
        + top
        + "  <os><type>exe</type><init>" + init + "</init>" + args + "</os>\n"
        + "  <devices>\n"
        + "    <emulator>" + launcher + "</emulator>\n"
        + "    <filesystem type='mount'><source dir='" + rootSource + "'/><target dir='/'/></filesystem>\n"
        + "    <console type='pty'/>\n"
        + devices
        + "  </devices>\n"
        + "</domain>\n";
  }

  /** {@link #xml} with a sleeping shell as init and this domain's busybox root. */
  String xml(String top) {
    return xml(top, "/bin/sh", List.of("-c", SLEEP_LOOP), rootfs, "");
  }

  /** {@code virsh define} of {@code xml}. */
  void define(String xml) throws IOException {
    Path file = work.resolve("domain.xml");
    Files.writeString(file, xml);
    Virsh.run("define", file.toString()).ok();
  }

  /** The controller's pid, as libvirtd recorded it. */
  long controllerPid() throws IOException {
    return Long.parseLong(Files.readString(Path.of("/run/libvirt/lxc/" + name + ".pid")).strip());
  }

  @Override
  public void close() throws IOException {
    Virsh.destroyAndUndefine(name);
    deleteTree(work);
  }

  static void deleteTree(Path dir) throws IOException {
    TestController.deleteTree(dir);
  }
}
