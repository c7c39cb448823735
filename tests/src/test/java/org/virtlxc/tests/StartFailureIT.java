package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code virsh start} of a domain under virt-lxc's controller that cannot start: it fails with one line naming the
 * cause, and leaves nothing behind (no cgroup in any hierarchy, no mount, no process, no monitor socket).
 */
class StartFailureIT {
  /** libvirtd's wrapper around the controller's last stderr line (reference §1.4). */
  private static final String FAILURE = "Failure in virt-lxc startup: ";
  private ControllerDomain dom;

  @BeforeEach
  void setUp() throws Exception {
    dom = new ControllerDomain("vlxct-cgfail-sf-");
  }

  @AfterEach
  void tearDown() throws Exception {
    dom.close();
  }

  @Test
  void missingRootFilesystemSource() throws Exception {
    Path missing = dom.work.resolve("no-such-root");
    dom.define(dom.xml("", "/bin/sh", List.of("-c", ControllerDomain.SLEEP_LOOP), missing, ""));
    assertStartFailsWith("unable to mount / of domain " + dom.name + ": <filesystem type='mount'> <source dir='"
        + missing + "'> does not exist");
  }

  @Test
  void missingInit() throws Exception {
    dom.define(dom.xml("", "/bin/no-such-init", List.of(), dom.rootfs, ""));
    assertStartFailsWith("virt-lxc-init: unable to find init /bin/no-such-init");
  }

  /**
   * A per-device blkio weight passes libvirt's parser and our validator (a block device, weight in [100, 1000]), but
   * the kernel refuses it with EOPNOTSUPP unless the device's I/O scheduler is BFQ (this VM's /dev/vda uses
   * mq-deadline).
   */
  @Test
  void cgroupLimitTheKernelRefuses() throws Exception {
    Path vda = Path.of("/dev/vda");
    TestHost.require(Files.exists(vda) && !Files.readString(Path.of("/sys/block/vda/queue/scheduler"))
        .contains("[bfq]"), "/dev/vda with an I/O scheduler other than bfq");
    dom.define(dom.xml("<blkiotune><device><path>/dev/vda</path><weight>500</weight></device></blkiotune>\n"));
    assertStartFailsWith("unable to apply <blkiotune><device><weight> of /dev/vda");
  }

  private void assertStartFailsWith(String cause) throws Exception {
    Virsh.Result start = Virsh.run("start", dom.name);
    System.out.println("virsh start " + dom.name + ": status " + start.status() + "\n" + start.err());
    assertNotEquals(0, start.status());
    List<String> lines = start.err().lines().filter(l -> !l.isBlank()).toList();
    // virsh: "error: Failed to start domain 'N'", then libvirtd's one-line reason
    assertEquals(2, lines.size(), start.err());
    String reason = lines.get(1);
    assertTrue(reason.startsWith("error: internal error: "), reason);
    int at = reason.indexOf(FAILURE);
    assertTrue(at > 0, "the controller's line is what libvirtd reports: " + reason);
    assertTrue(reason.substring(at + FAILURE.length()).startsWith(cause), "names the cause: " + reason);
    Leftovers.assertNone(dom.name, dom.work, Duration.ofSeconds(5));
    assertTrue(Virsh.run("domstate", dom.name).ok().out().contains("shut off"));
  }
}
