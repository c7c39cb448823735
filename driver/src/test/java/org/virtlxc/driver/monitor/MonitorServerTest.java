package org.virtlxc.driver.monitor;

import java.util.Map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.driver.FakeLibvirtd;
import org.virtlxc.driver.OpenFds;
import org.virtlxc.driver.handshake.Handshake;

/** MonitorServer against a FakeLibvirtd over a real UNIX socket. Every test checks no fd or thread is left behind. */
class MonitorServerTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(300);

  @TempDir Path tmp;
  private Path sock;
  private Map<Integer, String> fdsBefore;

  @BeforeAll
  static void warmUp(@TempDir Path dir) throws Exception {
    // open the JDK's and JNA's lazily created resources once, so that they do not count as leaks
    try (MonitorServer server = MonitorServer.start(dir.resolve("warm.sock"));
        FakeLibvirtd libvirtd = FakeLibvirtd.start(dir.resolve("warm.sock"))) {
      FakeLibvirtd.Connection c = libvirtd.connect();
      server.initStarted(1);
      c.takeEvent(WAIT);
      server.initExited(ExitStatus.SHUTDOWN);
      c.takeEvent(WAIT);
      c.awaitEof(WAIT);
    }
  }

  @BeforeEach
  void setUp() {
    sock = tmp.resolve("demo.sock");
    fdsBefore = OpenFds.snapshot();
  }

  @AfterEach
  void noLeaks() throws InterruptedException {
    for (int i = 0; i < 50 && monitorThreads() > 0; i++) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    assertEquals(0, monitorThreads(), "monitor threads left running");
    OpenFds.assertNoneLeaked(fdsBefore);
  }

  private static long monitorThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("monitor-")).count();
  }

  @Test
  void libvirtdStartSequence() throws Exception {
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock);
        Handshake handshake = libvirtd.controllerHandshake();
        MonitorServer server = MonitorServer.start(sock)) {
      // reference §3: socket listens before byte #1; init pid known before libvirtd connects
      server.initStarted(4242);
      handshake.continueToLibvirtd();
      libvirtd.expectContinue();
      libvirtd.sendContinue();
      handshake.awaitLibvirtd(WAIT);
      handshake.continueToLibvirtd();
      libvirtd.expectContinue();
      handshake.close();
      FakeLibvirtd.Connection conn = libvirtd.connect();
      assertEquals(new MonitorEvent.Init(4242), conn.takeEvent(WAIT));
      assertEquals(new MonitorEvent.Init(4242), conn.takeEvent(WAIT), "repeated once libvirtd is surely listening");
      conn.assertNothingWithin(QUIET);
    }
  }

  @Test
  void socketHasMode0700AndReplacesAStalePath() throws Exception {
    Files.writeString(sock, "stale");
    try (MonitorServer server = MonitorServer.start(sock)) {
      assertEquals(sock.toAbsolutePath(), server.path());
      assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(sock));
      try (var listing = Files.list(tmp)) {
        assertEquals(1, listing.count(), "no temporary socket name left behind");
      }
    }
  }

  @Test
  void initGoesToTheFirstClientWhenItConnectsLater() throws Exception {
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock); MonitorServer server = MonitorServer.start(sock)) {
      server.initStarted(12345);
      FakeLibvirtd.Connection conn = libvirtd.connect();
      assertEquals(new MonitorEvent.Init(12345), conn.takeEvent(WAIT));
    }
  }

  @Test
  void initGoesAtOnceAndAgainWhenLibvirtdHasInstalledItsEventHandlers() throws Exception {
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock); MonitorServer server = MonitorServer.start(sock)) {
      server.initStarted(321);
      long connected = System.nanoTime();
      FakeLibvirtd.Connection conn = libvirtd.connect();
      assertEquals(new MonitorEvent.Init(321), conn.takeEvent(WAIT));
      assertEquals(new MonitorEvent.Init(321), conn.takeEvent(WAIT), "repeated");
      assertTrue(System.nanoTime() - connected >= MonitorServer.INIT_SETTLE.toNanos(),
          "the repeat not before " + MonitorServer.INIT_SETTLE.toMillis() + " ms after the connection");
      conn.assertNothingWithin(QUIET);
    }
  }

  @Test
  void initGoesToTheConnectedFirstClientWhenThePidBecomesKnown() throws Exception {
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock); MonitorServer server = MonitorServer.start(sock)) {
      FakeLibvirtd.Connection conn = libvirtd.connect();
      awaitClient(server);
      conn.assertNothingWithin(QUIET);
      server.initStarted(777);
      assertEquals(new MonitorEvent.Init(777), conn.takeEvent(WAIT));
      assertThrows(IllegalStateException.class, () -> server.initStarted(778));
    }
  }

  @Test
  void exitIsDeliveredThenTheConnectionClosesAndTheSocketGoes() throws Exception {
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock); MonitorServer server = MonitorServer.start(sock)) {
      server.initStarted(100);
      FakeLibvirtd.Connection conn = libvirtd.connect();
      assertEquals(new MonitorEvent.Init(100), conn.takeEvent(WAIT));
      server.initExited(ExitStatus.REBOOT);
      assertEquals(new MonitorEvent.Exit(ExitStatus.REBOOT), conn.takeEvent(WAIT));
      conn.awaitEof(WAIT);
      assertFalse(Files.exists(sock), "socket file removed");
      assertThrows(IOException.class, libvirtd::connect);
    }
  }

  @Test
  void exitWithoutAClientIsDroppedAndTheServerCloses() throws Exception {
    MonitorServer server = MonitorServer.start(sock);
    server.initStarted(100);
    server.initExited(ExitStatus.SHUTDOWN);
    assertFalse(Files.exists(sock));
    server.close(); // idempotent
  }

  @Test
  void libvirtdReconnectingAfterItsRestartGetsInitAgain() throws Exception {
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock); MonitorServer server = MonitorServer.start(sock)) {
      server.initStarted(4242);
      FakeLibvirtd.Connection first = libvirtd.connect();
      assertEquals(new MonitorEvent.Init(4242), first.takeEvent(WAIT));
      first.close(); // libvirtd stops
      awaitNoClient(server);

      FakeLibvirtd.Connection second = libvirtd.connect(); // libvirtd restarted: virLXCProcessReconnectDomain
      awaitClient(server);
      assertEquals(new MonitorEvent.Init(4242), second.takeEvent(WAIT), "in case libvirtd had not saved the first");
      assertEquals(new MonitorEvent.Init(4242), second.takeEvent(WAIT), "repeated");
      second.assertNothingWithin(QUIET);
      server.initExited(ExitStatus.SHUTDOWN);
      assertEquals(new MonitorEvent.Exit(ExitStatus.SHUTDOWN), second.takeEvent(WAIT));
      second.awaitEof(WAIT);
    }
  }

  @Test
  void firstClientGoneBeforeThePidWasKnownMeansTheNextClientGetsInit() throws Exception {
    // libvirt_lxc would never send INIT here: a libvirtd restarted between start and INIT never learnt the pid
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock); MonitorServer server = MonitorServer.start(sock)) {
      FakeLibvirtd.Connection first = libvirtd.connect();
      awaitClient(server);
      first.close();
      awaitNoClient(server);
      server.initStarted(55);
      FakeLibvirtd.Connection second = libvirtd.connect();
      awaitClient(server);
      assertEquals(new MonitorEvent.Init(55), second.takeEvent(WAIT));
      second.close();
      awaitNoClient(server);
      FakeLibvirtd.Connection third = libvirtd.connect();
      assertEquals(new MonitorEvent.Init(55), third.takeEvent(WAIT), "every connection");
      assertEquals(new MonitorEvent.Init(55), third.takeEvent(WAIT), "repeated");
      third.assertNothingWithin(QUIET);
    }
  }

  @Test
  void secondClientWaitsInTheBacklogUntilTheFirstLeaves() throws Exception {
    // max_clients = 1: libvirt's server stops accepting while a client is connected
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock); MonitorServer server = MonitorServer.start(sock)) {
      server.initStarted(9);
      FakeLibvirtd.Connection first = libvirtd.connect();
      assertEquals(new MonitorEvent.Init(9), first.takeEvent(WAIT));
      FakeLibvirtd.Connection second = libvirtd.connect(); // connect() succeeds: queued by the kernel
      second.assertNothingWithin(QUIET);

      assertEquals(1, server.acceptedCount());

      first.close();
      // now the queued connection is accepted and is the one that gets EXIT
      for (int i = 0; i < 500 && server.acceptedCount() < 2; i++) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      assertEquals(2, server.acceptedCount());
      awaitClient(server);
      assertEquals(new MonitorEvent.Init(9), second.takeEvent(WAIT));
      server.initExited(ExitStatus.SHUTDOWN);
      assertEquals(new MonitorEvent.Exit(ExitStatus.SHUTDOWN), second.takeEvent(WAIT));
      second.awaitEof(WAIT);
    }
  }

  @Test
  void bytesFromTheClientAreIgnored() throws Exception {
    try (MonitorServer server = MonitorServer.start(sock);
        SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      raw.connect(UnixDomainSocketAddress.of(sock));
      raw.write(java.nio.ByteBuffer.wrap(new byte[100]));
      awaitClient(server);
      server.initStarted(3);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(36);
      while (buf.hasRemaining() && raw.read(buf) >= 0) {
        // read the INIT
      }
      assertEquals(new MonitorEvent.Init(3), MonitorProtocol.decode(buf.array()));
    }
  }

  @Test
  void closeRemovesTheSocketAndStopsTheThread() throws Exception {
    MonitorServer server = MonitorServer.start(sock);
    assertTrue(Files.exists(sock));
    server.close();
    assertFalse(Files.exists(sock));
    assertEquals(0, monitorThreads());
  }

  @Test
  void theSocketFileIsGoneBeforeLibvirtdSeesEof() throws Exception {
    // after REBOOT libvirtd starts a new controller on EOF; the old one must not touch the path after that
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock); MonitorServer server = MonitorServer.start(sock)) {
      server.initStarted(100);
      FakeLibvirtd.Connection conn = libvirtd.connect();
      assertEquals(new MonitorEvent.Init(100), conn.takeEvent(WAIT));
      server.initExited(ExitStatus.REBOOT);
      assertEquals(new MonitorEvent.Exit(ExitStatus.REBOOT), conn.takeEvent(WAIT));
      conn.awaitEof(WAIT);
      assertFalse(Files.exists(sock), "socket file removed by the time of EOF");
    }
  }

  @Test
  void closeLeavesASocketAnotherControllerCreatedAtThePath() throws Exception {
    MonitorServer old = MonitorServer.start(sock);
    try (MonitorServer next = MonitorServer.start(sock); FakeLibvirtd libvirtd = FakeLibvirtd.start(sock)) {
      old.close();
      assertTrue(Files.exists(sock), "the new controller's socket is left in place");
      next.initStarted(5);
      assertEquals(new MonitorEvent.Init(5), libvirtd.connect().takeEvent(WAIT));
    }
    assertFalse(Files.exists(sock));
  }

  @Test
  void closeWhileAClientIsConnected() throws Exception {
    try (FakeLibvirtd libvirtd = FakeLibvirtd.start(sock)) {
      MonitorServer server = MonitorServer.start(sock);
      FakeLibvirtd.Connection conn = libvirtd.connect();
      awaitClient(server);
      server.close();
      conn.awaitEof(WAIT);
      assertFalse(Files.exists(sock));
    }
  }

  @Test
  void tooLongPathIsAClearError() {
    Path longPath = tmp.resolve("x".repeat(120) + ".sock");
    IOException e = assertThrows(IOException.class, () -> MonitorServer.start(longPath));
    assertTrue(e.getMessage().startsWith("unable to listen on "), e.getMessage());
  }

  @Test
  void defaultPathIsLibvirtsStateDir() {
    assertEquals(Path.of("/run/libvirt/lxc/demo.sock"), MonitorServer.socketPath("demo"));
  }

  private static void awaitClient(MonitorServer server) throws InterruptedException {
    for (int i = 0; i < 500 && !server.hasClient(); i++) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    assertTrue(server.hasClient(), "client accepted");
  }

  private static void awaitNoClient(MonitorServer server) throws InterruptedException {
    for (int i = 0; i < 500 && server.hasClient(); i++) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    assertFalse(server.hasClient(), "client gone");
  }
}
