package org.virtlxc.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.virtlxc.nssetup.IdMapping;
import org.virtlxc.nssetup.LaunchPlan;
import org.virtlxc.nssetup.Libc;
import org.virtlxc.nssetup.Namespace;

/** ConsoleRelays over real ptys: the host side stands for libvirtd's {@code --console} masters. */
class ConsoleRelaysTest {
  private final Libc libc = Libc.INSTANCE;

  @Test
  void eachConsoleGetsItsOwnPtyAndRelay() throws Exception {
    Map<Integer, String> before = OpenFds.snapshot();
    Pty host1 = Pty.open(libc);
    Pty host2 = Pty.open(libc);
    try (ConsoleRelays consoles = ConsoleRelays.start(libc, List.of(host1.masterFd(), host2.masterFd()))) {
      List<String> slaves = consoles.slavePaths();
      assertEquals(2, slaves.size());
      assertNotEquals(slaves.get(0), slaves.get(1));

      // A viewer on the second host console sees what the container writes on its second tty.
      try (FileInputStream viewer = new FileInputStream(host2.slavePath());
          FileOutputStream tty2 = new FileOutputStream(slaves.get(1))) {
        CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> readLine(viewer));
        Thread.sleep(300); // the relay notices the viewer within one poll period
        tty2.write("on tty2\n".getBytes(StandardCharsets.US_ASCII));
        tty2.flush();
        assertEquals("on tty2", seen.get(5, TimeUnit.SECONDS).strip());
      }
    } finally {
      libc.close(host1.masterFd());
      libc.close(host2.masterFd());
    }
    OpenFds.assertNoneLeaked(before);
  }

  @Test
  void atLeastOneConsoleIsRequired() {
    Controller.StartupException e = assertThrows(Controller.StartupException.class,
        () -> ConsoleRelays.start(libc, List.of()));
    assertEquals("unable to set up the consoles: at least one <console> is required", e.getMessage());
  }

  @Test
  void consolesBelongToTheMappedRootOfAUserNamespace() throws Exception {
    Pty host = Pty.open(libc);
    try (ConsoleRelays consoles = ConsoleRelays.start(libc, List.of(host.masterFd()))) {
      Path slave = Path.of(consoles.slavePaths().get(0));
      LaunchPlan plain = LaunchPlan.builder().create(Namespace.PID, Namespace.MOUNT).argv("/bin/sh").build();
      Object owner = Files.getAttribute(slave, "unix:uid");
      consoles.giveTo(plain);
      assertEquals(owner, Files.getAttribute(slave, "unix:uid"), "no user namespace: left alone");

      LaunchPlan userns = plain.newBuilder().create(Namespace.USER)
          .uidMap(new IdMapping(0, 231072, 65536)).gidMap(new IdMapping(0, 231073, 65536)).build();
      consoles.giveTo(userns);
      assertEquals(231072, Files.getAttribute(slave, "unix:uid"));
      assertEquals(231073, Files.getAttribute(slave, "unix:gid"));
    } finally {
      libc.close(host.masterFd());
    }
  }

  private static String readLine(FileInputStream in) {
    StringBuilder sb = new StringBuilder();
    try {
      for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
        sb.append((char) c);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertTrue(sb.length() > 0);
    return sb.toString();
  }
}
