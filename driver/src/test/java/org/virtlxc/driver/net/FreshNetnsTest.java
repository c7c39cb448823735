package org.virtlxc.driver.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A real placeholder process in a real new network namespace (as root, like the controller and the build). */
class FreshNetnsTest {
  @Test
  void holdsAnEmptyNamespaceOfItsOwnUntilClosed() throws Exception {
    long pid;
    try (FreshNetns ns = FreshNetns.create()) {
      pid = ns.holderPid();
      assertEquals(Path.of("/proc/" + pid + "/ns/net"), ns.path());
      assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")), Files.readSymbolicLink(ns.path()),
          "another namespace than this process's");
      Process ip = new ProcessBuilder(NetworkSetup.find("nsenter", "util-linux"), "--target", Long.toString(pid),
          "--net", "--", NetworkSetup.find("ip", "iproute2"), "-o", "link").redirectErrorStream(true).start();
      String links = new String(ip.getInputStream().readAllBytes());
      assertEquals(0, ip.waitFor(), links);
      assertEquals(1, links.lines().count(), "only lo: " + links);
    }
    assertFalse(ProcessHandle.of(pid).isPresent(), "placeholder " + pid + " ended and reaped");
  }
}
