package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The installed layout, in a private prefix: {@code scripts/install-virt-lxc.sh --prefix DIR} installs the command and
 * the controller launcher and records the controller's class-data sharing archive from a training start; the installed
 * {@code virt-lxc define} names that controller, and a domain started under it maps the archive and the JNA dispatch
 * library the installer unpacked (no copy in a temporary file per start).
 */
class InstalledControllerIT {
  private String name;
  private Path prefix;
  private Path work;

  @BeforeEach
  void setUp() throws IOException {
    name = "vlxct-cli-" + UUID.randomUUID().toString().substring(0, 8);
    prefix = Files.createTempDirectory(Path.of("/tmp"), "vlxct-cli-inst-");
    work = Files.createTempDirectory(Path.of("/tmp"), "vlxct-cli-");
  }

  @AfterEach
  void tearDown() throws IOException {
    Virsh.destroyAndUndefine(name);
    TestController.deleteTree(work);
    TestController.deleteTree(prefix);
  }

  @Test
  void installedControllerStartsADomainWithItsClassDataSharingArchive() throws Exception {
    String install = run(List.of(TestController.BUILD_ROOT.resolve("scripts/install-virt-lxc.sh").toString(),
        "--prefix", prefix.toString()));
    Path controller = prefix.resolve("virt-lxc-controller");
    Path archive = prefix.resolve("virt-lxc-controller.jsa");
    assertTrue(install.contains("recorded the controller's class-data sharing archive " + archive), install);
    assertTrue(Files.isExecutable(controller) && Files.size(archive) > 0);

    Path file = Files.writeString(work.resolve("domain.xml"),
        TestController.domainXml(name, TestController.busyboxRoot(work.resolve("root")), null));
    String define = run(List.of(prefix.resolve("bin/virt-lxc").toString(), "define", file.toString()));
    assertEquals("Domain '" + name + "' defined from " + file + "\n", define);
    assertTrue(Virsh.run("dumpxml", name).ok().out().contains("<emulator>" + controller + "</emulator>"));

    Virsh.run("start", name).ok();
    long pid = Long.parseLong(Virsh.run("domid", name).ok().out().strip());
    List<String> cmdline = TestController.cmdline(pid);
    System.out.println("controller " + pid + ": " + String.join(" ", cmdline));
    assertTrue(cmdline.contains("org.virtlxc.driver.ControllerMain"), cmdline.toString());
    assertTrue(cmdline.contains("-XX:SharedArchiveFile=" + archive), cmdline.toString());
    String maps = Files.readString(Path.of("/proc/" + pid + "/maps"));
    assertTrue(maps.contains(archive.toString()), "the archive is mapped:\n" + maps);
    Path jnidispatch = prefix.resolve("native/libjnidispatch.so");
    assertTrue(maps.contains(jnidispatch.toString()), "JNA's dispatch library is the installed one:\n" + maps);
    String status = Files.readString(Path.of("/proc/" + pid + "/status"));
    System.out.println("controller " + status.lines().filter(l -> l.startsWith("VmRSS")).findFirst().orElse(""));
    Virsh.run("destroy", name).ok();
  }

  /**
   * Runs a command to its end (3 minutes at most), once more after 2 s when libvirtd was not there; fails with its
   * output unless it exits 0; returns its stdout.
   */
  private static String run(List<String> command) throws IOException, InterruptedException {
    try {
      return runOnce(command);
    } catch (AssertionError e) {
      if (!String.valueOf(e.getMessage()).contains("Failed to connect socket")) {
        throw e;
      }
      Virsh.sleep2s();
      return runOnce(command);
    }
  }

  private static String runOnce(List<String> command) throws IOException, InterruptedException {
    Path err = Files.createTempFile(Path.of("/tmp"), "vlxct-cli-err-", ".txt");
    try {
      Process p = new ProcessBuilder(command).redirectInput(new File("/dev/null")).redirectError(err.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish in 3 minutes");
      }
      System.out.println(String.join(" ", command) + " -> " + p.exitValue() + "\n" + out + Files.readString(err));
      assertEquals(0, p.exitValue(), command + ": " + out + Files.readString(err));
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
