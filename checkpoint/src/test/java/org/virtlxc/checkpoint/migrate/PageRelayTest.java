package org.virtlxc.checkpoint.migrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A post-copy page connection end to end over real loopback sockets: the "page server" (the source's CRIU) and the
 * "lazy-pages daemon" (the destination's) talk through two {@link PageRelay}s joined by a {@link MigrationChannel}
 * whose first message is {@link MigrationMessage.Pages}, matched to its migration by {@link PageLinks}; bytes sent
 * right behind that message are not lost, both directions arrive intact, and the daemon closing its connection ends
 * everything down to the page server (which CRIU's page server needs to end its session).
 */
class PageRelayTest {
  private static final Duration T = Duration.ofSeconds(20);

  @Test
  void pagesTravelBothWaysAndTheDaemonsCloseReachesThePageServer() throws Exception {
    byte[] memory = new byte[3 << 20];
    new Random(11).nextBytes(memory);
    byte[] request = "GET 0..3 MiB".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    PageLinks links = new PageLinks();
    String token = links.open();
    try (ServerSocket pageServer = loopback(); ServerSocket daemonSide = loopback(); ServerSocket service = loopback();
        Socket criuConnection = new Socket(InetAddress.getLoopbackAddress(), pageServer.getLocalPort());
        Socket served = pageServer.accept()) {
      // the destination's service: the page connection's first message, then the migration takes it over
      CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
        try (MigrationChannel c = new MigrationChannel(service.accept(), "source")) {
          links.serve((MigrationMessage.Pages) c.receive(T), c);
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      // the source: Pages, then its relay to the page server
      MigrationChannel toDestination = new MigrationChannel(new Socket(InetAddress.getLoopbackAddress(),
          service.getLocalPort()), "destination");
      toDestination.send(new MigrationMessage.Pages(token));
      PageRelay source = PageRelay.start(criuConnection, toDestination);
      // the destination: the daemon connects locally, its connection meets the page connection
      Socket daemon = new Socket(InetAddress.getLoopbackAddress(), daemonSide.getLocalPort());
      PageLinks.PageLink link = links.await(token, T);
      PageRelay destination = PageRelay.start(daemonSide.accept(), link.channel());

      daemon.getOutputStream().write(request);
      byte[] asked = served.getInputStream().readNBytes(request.length);
      assertArrayEquals(request, asked, "the page server got the daemon's request");
      served.getOutputStream().write(memory);
      byte[] got = daemon.getInputStream().readNBytes(memory.length);
      assertArrayEquals(memory, got, "the daemon got the memory");

      daemon.close();
      assertEquals(-1, served.getInputStream().read(), "the daemon's close reaches the page server");
      assertTrue(destination.awaitEnd(T) && source.awaitEnd(T), "both relays end");
      assertEquals(memory.length, destination.bytesFromRemote());
      assertEquals(memory.length, source.bytesToRemote());
      assertEquals(request.length, source.bytesFromRemote());
      assertNull(destination.failure());
      link.release();
      serving.get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPageConnectionWithAnUnknownTokenIsRefusedAndAnEndedMigrationGetsNone() throws Exception {
    PageLinks links = new PageLinks();
    String token = links.open();
    try (ServerSocket s = loopback(); Socket client = new Socket(InetAddress.getLoopbackAddress(), s.getLocalPort());
        MigrationChannel c = new MigrationChannel(s.accept(), "peer")) {
      links.serve(new MigrationMessage.Pages("not-a-token"), c); // returns at once: refused
      links.close(token);
      links.serve(new MigrationMessage.Pages(token), c); // that migration is over: refused too
      assertThrows(IOException.class, () -> links.await(token, Duration.ofMillis(100)));
      String other = links.open();
      IOException late = assertThrows(IOException.class, () -> links.await(other, Duration.ofMillis(100)));
      assertTrue(late.getMessage().contains("did not open its page connection"), late.getMessage());
    }
  }

  private static ServerSocket loopback() throws IOException {
    return new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
  }

  @Test
  void thePostcopyFlagAndThePageTokenTravelAndAnOlderSourcesHelloIsStopAndCopy() throws Exception {
    org.virtlxc.checkpoint.image.HostFacts host = new org.virtlxc.checkpoint.image.HostFacts("6.18.0", "x86_64",
        java.util.List.of("fpu"), "4.2.1");
    MigrationMessage.Hello hello = new MigrationMessage.Hello(MigrationMessage.PROTOCOL, "vlxct-postcopy-unit",
        "0b7e3a52-52a4-4a4c-9b3e-6a2c1f7b8e01", "<domain type='lxc'/>", host, 1L << 20, java.util.List.of(), true,
        false, true, StorageCopy.NONE);
    MigrationMessage.Accept accept = new MigrationMessage.Accept(host, java.util.List.of(), "c0ffee");
    try (ServerSocket s = loopback(); MigrationChannel out = new MigrationChannel(new Socket(
        InetAddress.getLoopbackAddress(), s.getLocalPort()), "in"); MigrationChannel in = new MigrationChannel(
        s.accept(), "out")) {
      out.send(hello);
      out.send(accept);
      assertEquals(hello, in.receive(T));
      assertEquals(accept, in.receive(T));
      // a stop-and-copy source of before post-copy sends no "postcopy": the destination reads false
      byte[] old = ("{\"type\":\"hello\",\"protocol\":1,\"domainName\":\"d\",\"domainUuid\":\"u\","
          + "\"domainXml\":\"x\",\"host\":{\"kernelRelease\":\"6.18.0\",\"arch\":\"x86_64\","
          + "\"cpuFlags\":[],\"criuVersion\":\"4.2.1\"},\"memoryBytes\":1,\"sharedPaths\":[],\"persistent\":false,"
          + "\"compressed\":false}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      OutputStream raw = out.rawOutput();
      raw.write('M');
      raw.write(new byte[] {(byte) (old.length >>> 24), (byte) (old.length >>> 16), (byte) (old.length >>> 8),
          (byte) old.length});
      raw.write(old);
      raw.flush();
      MigrationMessage.Hello read = (MigrationMessage.Hello) in.receive(T);
      assertEquals("d", read.domainName());
      assertEquals(false, read.postcopy());
    }
  }
}
