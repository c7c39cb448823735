package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.virtlxc.cli.VirtLxc;

/**
 * {@code virt-lxc define} and {@code virt-lxc adopt [--revert]} against the running libvirtd: the domains they write
 * start under virt-lxc's controller (this build's), and revert gives back the definition libvirt had. Domains are named
 * {@code vlxct-cli-*} and removed afterwards, also when a test fails.
 */
class VirtLxcCommandIT {
  private static final Path STATE_DIR = Path.of("/run/libvirt/lxc");
  private static final String STOCK = "/usr/lib/libvirt/libvirt_lxc";

  private ControllerDomain domain;
  private String name;
  private Path work;
  private Path rootfs;
  private Path launcher;

  @BeforeEach
  void setUp() throws IOException {
    domain = new ControllerDomain("vlxct-cli-");
    name = domain.name;
    work = domain.work;
    rootfs = domain.rootfs;
    launcher = domain.launcher;
  }

  @AfterEach
  void tearDown() throws IOException {
    domain.close();
  }

  @Test
  void definedDomainStartsUnderOurController() throws Exception {
    Path file = Files.writeString(work.resolve("domain.xml"), TestController.domainXml(name, rootfs, null));

    Cli define = Cli.run("define", file.toString(), "--emulator", launcher.toString());
    assertEquals(new Cli(0, "Domain '" + name + "' defined from " + file + "\n", ""), define);
    assertTrue(Virsh.run("dumpxml", name).ok().out().contains("<emulator>" + launcher + "</emulator>"));

    Virsh.run("start", name).ok();
    assertRunsUnderOurController();
    Virsh.run("destroy", name).ok();
    assertTrue(Virsh.run("domstate", name).ok().out().contains("shut off"));
  }

  @Test
  void adoptedLibvirtLxcDomainStartsUnderOurControllerAndRevertGivesBackItsDefinition() throws Exception {
    Path file = Files.writeString(work.resolve("domain.xml"), TestController.domainXml(name, rootfs, STOCK));
    Virsh.run("define", file.toString()).ok();
    // A working libvirt_lxc domain; its first start also adds what libvirt fills in (<resource><partition>).
    Virsh.run("start", name).ok();
    long stockPid = Long.parseLong(Virsh.run("domid", name).ok().out().strip());
    assertEquals(STOCK, TestController.cmdline(stockPid).get(0));
    Virsh.run("destroy", name).ok();
    String original = Virsh.run("dumpxml", "--inactive", name).ok().out();

    Cli adopt = Cli.run("adopt", name, "--emulator", launcher.toString());
    assertEquals(new Cli(0, "Domain '" + name + "' adopted by virt-lxc's controller " + launcher + " (was " + STOCK
        + ")\n", ""), adopt);
    String adopted = Virsh.run("dumpxml", "--inactive", name).ok().out();
    System.out.println("adopted:\n" + adopted);
    assertTrue(adopted.contains("<emulator>" + launcher + "</emulator>"), adopted);
    assertTrue(adopted.contains("previous-emulator=\"" + STOCK + "\"") || adopted.contains("previous-emulator='" + STOCK
        + "'"), adopted);

    Virsh.run("start", name).ok();
    assertRunsUnderOurController();
    Virsh.run("destroy", name).ok();

    assertEquals(new Cli(0, "Domain '" + name + "' reverted to emulator " + STOCK + "\n", ""),
        Cli.run("adopt", name, "--revert"));
    assertEquals(original, Virsh.run("dumpxml", "--inactive", name).ok().out());
  }

  @Test
  void revertWithoutRecordRestoresLibvirtsDefaultEmulator() throws Exception {
    Path file = Files.writeString(work.resolve("domain.xml"), TestController.domainXml(name, rootfs, null));
    assertEquals(0, Cli.run("define", file.toString(), "--emulator", launcher.toString()).status());

    String caps = Virsh.run("capabilities").ok().out();
    assertTrue(caps.contains("<emulator>" + STOCK + "</emulator>"), "libvirt's default on this host:\n" + caps);
    assertEquals(new Cli(0, "Domain '" + name + "' reverted to emulator " + STOCK + "\n", ""),
        Cli.run("adopt", name, "--revert"));
    String reverted = Virsh.run("dumpxml", "--inactive", name).ok().out();
    assertTrue(reverted.contains("<emulator>" + STOCK + "</emulator>"), reverted);
    assertFalse(reverted.contains("virt-lxc"), reverted);
  }

  @Test
  void runningDomainIsRefusedAndLeftAsItIs() throws Exception {
    Path file = Files.writeString(work.resolve("domain.xml"), TestController.domainXml(name, rootfs, STOCK));
    Virsh.run("define", file.toString()).ok();
    Virsh.run("start", name).ok();
    String before = Virsh.run("dumpxml", "--inactive", name).ok().out();

    String refusal = "error: Domain '" + name + "' is running: %s changes inactive domains only; stop it first "
        + "(virsh -c lxc:/// shutdown|destroy " + name + ")\n";
    assertEquals(new Cli(1, "", refusal.formatted("virt-lxc adopt")), Cli.run("adopt", name, "--emulator",
        launcher.toString()));
    assertEquals(new Cli(1, "", refusal.formatted("virt-lxc adopt --revert")), Cli.run("adopt", name, "--revert"));
    assertEquals(before, Virsh.run("dumpxml", "--inactive", name).ok().out());
    assertTrue(Virsh.run("domstate", name).ok().out().contains("running"));
  }

  @Test
  void unknownDomainInvalidXmlAndMissingControllerAreRefused() throws Exception {
    assertEquals(new Cli(1, "", "error: failed to get domain '" + name + "'\nerror: Domain not found: "
        + "No domain with matching name '" + name + "'\n"), Cli.run("adopt", name));

    Path bad = Files.writeString(work.resolve("bad.xml"),
        TestController.domainXml(name, rootfs, null).replace("unit='KiB'", "unit='Mb2'"));
    Cli invalid = Cli.run("define", bad.toString(), "--emulator", launcher.toString());
    assertEquals(1, invalid.status());
    assertTrue(invalid.err().startsWith("error: " + bad + ":3: element <memory>, attribute 'unit': unknown unit 'Mb2'"), invalid.err());

    Path ok = Files.writeString(work.resolve("domain.xml"), TestController.domainXml(name, rootfs, null));
    Path missing = work.resolve("no-such-controller");
    assertEquals(new Cli(1, "", "error: emulator " + missing + ": no such file\n"),
        Cli.run("define", ok.toString(), "--emulator", missing.toString()));
    assertFalse(Virsh.allDomainNames().contains(name), "nothing defined");
  }

  private void assertRunsUnderOurController() throws IOException {
    long pid = Long.parseLong(Files.readString(STATE_DIR.resolve(name + ".pid")).strip());
    assertEquals(String.valueOf(pid), Virsh.run("domid", name).ok().out().strip());
    List<String> cmdline = TestController.cmdline(pid);
    System.out.println("controller " + pid + ": " + String.join(" ", cmdline));
    assertTrue(cmdline.contains("org.virtlxc.driver.ControllerMain"), cmdline.toString());
    assertTrue(cmdline.contains(name), cmdline.toString());
    assertTrue(cmdline.stream().anyMatch(a -> a.contains(TestController.BUILD_ROOT.resolve("driver/target").toString())),
        "this build's controller: " + cmdline);
  }

  /** One run of the {@code virt-lxc} command, in this JVM, against the running libvirtd. */
  private record Cli(int status, String out, String err) {
    /** As {@link Virsh#run}: once more after 2 s when libvirtd was not there. */
    static Cli run(String... args) {
      Cli r = runOnce(args);
      if (r.status() != 0 && r.err().contains("Failed to connect socket")) {
        Virsh.sleep2s();
        r = runOnce(args);
      }
      return r;
    }

    private static Cli runOnce(String... args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int status = VirtLxc.create(new PrintWriter(out), new PrintWriter(err)).execute(args);
      System.out.println("virt-lxc " + String.join(" ", args) + " -> " + status + "\n" + out + err);
      return new Cli(status, out.toString(), err.toString());
    }
  }
}
