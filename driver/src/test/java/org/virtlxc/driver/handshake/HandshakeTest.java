package org.virtlxc.driver.handshake;

import java.util.Map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.virtlxc.driver.OpenFds;
import org.virtlxc.driver.Pipe;

/** The handshake over real kernel pipes, laid out as libvirtd lays them out (reference §3). */
class HandshakeTest {
  private static final Duration SHORT = Duration.ofSeconds(5);

  /** libvirtd writes here; the controller reads (R). */
  private Pipe toController;
  /** the controller writes here (W); libvirtd reads. */
  private Pipe toLibvirtd;
  private Handshake handshake;
  private Map<Integer, String> fdsBefore;

  @BeforeAll
  static void warmUp() {
    try (Pipe p = Pipe.open()) {
      // load libc through JNA once, so its own fds are not counted as leaks
    }
  }

  @BeforeEach
  void setUp() {
    fdsBefore = OpenFds.snapshot();
    toController = Pipe.open();
    toLibvirtd = Pipe.open();
    handshake = new Handshake(toController.handOverReadEnd(), toLibvirtd.handOverWriteEnd());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    handshake.close();
    toController.close();
    toLibvirtd.close();
    OpenFds.assertNoneLeaked(fdsBefore);
  }

  @Test
  void fullSequenceAsLibvirtdSeesIt() throws Exception {
    handshake.continueToLibvirtd();
    assertEquals('c', toLibvirtd.read());
    toController.write((byte) 'c');
    handshake.awaitLibvirtd(SHORT);
    handshake.continueToLibvirtd();
    assertEquals('c', toLibvirtd.read());
    handshake.close();
    assertEquals(-1, toLibvirtd.read(), "libvirtd sees EOF once the controller closes its end");
  }

  @Test
  void eofIsLibvirtdClosingTheHandshake() {
    toController.closeWriteEnd();
    HandshakeException e = assertThrows(HandshakeException.class, () -> handshake.awaitLibvirtd(SHORT));
    assertEquals("libvirtd closed the handshake", e.getMessage());
  }

  @Test
  void anyOtherByteIsAnError() {
    toController.write((byte) 'x');
    HandshakeException e = assertThrows(HandshakeException.class, () -> handshake.awaitLibvirtd(SHORT));
    assertEquals("unexpected handshake byte 0x78 from libvirtd (expected 'c')", e.getMessage());
  }

  @Test
  void waitingTimesOut() {
    long start = System.nanoTime();
    HandshakeException e =
        assertThrows(HandshakeException.class, () -> handshake.awaitLibvirtd(Duration.ofMillis(200)));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals("timed out after 200 ms waiting for libvirtd's handshake", e.getMessage());
    assertTrue(elapsedMs >= 190, "waited " + elapsedMs + " ms");
  }

  @Test
  void byteArrivingWhileWaitingIsSeen() throws Exception {
    Thread libvirtd = new Thread(() -> {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      toController.write((byte) 'c');
    });
    libvirtd.start();
    handshake.awaitLibvirtd(SHORT);
    libvirtd.join();
  }

  @Test
  void writingAfterLibvirtdLeftIsAnError() {
    toLibvirtd.closeReadEnd();
    HandshakeException e = assertThrows(HandshakeException.class, handshake::continueToLibvirtd);
    assertEquals("libvirtd closed the handshake", e.getMessage());
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseIsRefused() {
    handshake.close();
    handshake.close();
    assertThrows(IllegalStateException.class, handshake::continueToLibvirtd);
  }
}
