package org.virtlxc.checkpoint.migrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.checkpoint.image.HostFacts;

/** The migration channel over real TLS on loopback: mutual authentication, messages and the image stream. */
class MigrationChannelTest {
  private static final Duration T = Duration.ofSeconds(20);
  @TempDir
  static Path dir;
  static TestPki pki;

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
  }

  /** A server that runs {@code handler} on one accepted, handshaken connection. */
  private static final class OneShotServer implements AutoCloseable {
    final SSLServerSocket socket;
    final CompletableFuture<Object> result = new CompletableFuture<>();

    OneShotServer(TlsFiles files, Handler handler) throws IOException {
      socket = MigrationTls.load(files).listen(new InetSocketAddress("127.0.0.1", 0));
      Thread t = new Thread(() -> {
        try (SSLSocket s = (SSLSocket) socket.accept()) {
          MigrationTls.accept(s, T);
          try (MigrationChannel c = new MigrationChannel(s, "client")) {
            result.complete(handler.handle(c));
          }
        } catch (Exception e) {
          result.completeExceptionally(e);
        }
      });
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  interface Handler {
    Object handle(MigrationChannel c) throws Exception;
  }

  private static MigrationMessage.Hello hello() {
    return new MigrationMessage.Hello(MigrationMessage.PROTOCOL, "vlxct-migrate-web",
        "0b7e3a52-52a4-4a4c-9b3e-6a2c1f7b8e01", "<domain type='lxc'/>",
        new HostFacts("6.18.0", "x86_64", List.of("sse2", "fpu"), "4.2.1"), 123L << 20, List.of("/srv/root"), true,
        false, false, StorageCopy.INCREMENTAL);
  }

  @Test
  void messagesAndImageTravelBothWaysOverMutualTls() throws Exception {
    byte[] image = new byte[3 << 20];
    new Random(7).nextBytes(image);
    try (OneShotServer server = new OneShotServer(pki.server(), c -> {
      MigrationMessage.Hello h = c.expect(MigrationMessage.Hello.class, T);
      c.send(new MigrationMessage.Accept(h.host(), List.of("a warning")));
      byte[] got;
      try (InputStream in = c.imageInput()) {
        got = in.readAllBytes();
      }
      c.send(new MigrationMessage.Restored(h.domainName()));
      c.expect(MigrationMessage.Commit.class, T);
      c.send(new MigrationMessage.Done(h.domainName()));
      return got;
    })) {
      MigrationTls tls = MigrationTls.load(pki.client());
      try (MigrationChannel c = new MigrationChannel(tls.connect("127.0.0.1", server.port(), T), "server")) {
        c.send(hello());
        MigrationMessage.Accept a = c.expect(MigrationMessage.Accept.class, T);
        assertEquals(List.of("a warning"), a.warnings());
        assertEquals(hello().host(), a.host());
        try (OutputStream out = c.imageOutput()) {
          out.write(image, 0, 1000);
          out.write(image, 1000, image.length - 1000);
        }
        assertEquals("vlxct-migrate-web", c.expect(MigrationMessage.Restored.class, T).domainName());
        c.send(new MigrationMessage.Commit("vlxct-migrate-web"));
        assertInstanceOf(MigrationMessage.Done.class, c.receive(T));
      }
      assertArrayEquals(image, (byte[]) server.result.get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void anAbortedImageIsAnErrorNamingTheReason() throws Exception {
    try (OneShotServer server = new OneShotServer(pki.server(), c -> {
      try (InputStream in = c.imageInput()) {
        return assertThrows(IOException.class, in::readAllBytes).getMessage();
      }
    })) {
      try (MigrationChannel c = new MigrationChannel(MigrationTls.load(pki.client()).connect("127.0.0.1",
          server.port(), T), "server")) {
        c.imageOutput().write(new byte[5000]);
        c.abortImage("CRIU failed: no space left");
        String msg = (String) server.result.get(20, TimeUnit.SECONDS);
        assertTrue(msg.contains("aborted the image: CRIU failed: no space left"), msg);
      }
    }
  }

  @Test
  void aConnectionCutMidImageIsAnError() throws Exception {
    try (OneShotServer server = new OneShotServer(pki.server(), c -> {
      try (InputStream in = c.imageInput()) {
        return assertThrows(IOException.class, in::readAllBytes).getMessage();
      }
    })) {
      MigrationChannel c = new MigrationChannel(MigrationTls.load(pki.client()).connect("127.0.0.1",
          server.port(), T), "server");
      c.imageOutput().write(new byte[100_000]);
      c.imageOutput().flush();
      c.close();
      String msg = (String) server.result.get(20, TimeUnit.SECONDS);
      assertTrue(msg.contains("ended in the middle of the image") || msg.contains("closed"), msg);
    }
  }

  @Test
  void aClientWithACertificateOfAnotherCaIsRefusedOnBothSides() throws Exception {
    try (OneShotServer server = new OneShotServer(pki.server(), c -> c.receive(T))) {
      TlsFiles rogue = pki.rogueClient(dir.resolve("rogue"));
      IOException e = assertThrows(IOException.class, () -> {
        try (MigrationChannel c = new MigrationChannel(MigrationTls.load(rogue).connect("127.0.0.1", server.port(), T),
            "server")) {
          c.receive(T); // TLS 1.3: the server's refusal may arrive after the client's handshake
        }
      });
      String clientSide = e instanceof javax.net.ssl.SSLException
          ? MigrationTls.clientFailure("127.0.0.1", e) : e.getMessage();
      assertTrue(clientSide.contains("refused this host's certificate"), clientSide);
      Exception serverSide = assertThrows(Exception.class, () -> server.result.get(20, TimeUnit.SECONDS));
      assertTrue(serverSide.getCause().getMessage().contains("refused unauthenticated peer"),
          serverSide.getCause().getMessage());
    }
  }

  @Test
  void aServerWhoseCertificateDoesNotNameTheHostIsRefused() throws Exception {
    TlsFiles elsewhere = pki.serverNaming(dir.resolve("elsewhere"), "DNS:elsewhere.example");
    try (OneShotServer server = new OneShotServer(elsewhere, c -> c.receive(T))) {
      IOException e = assertThrows(IOException.class,
          () -> MigrationTls.load(pki.client()).connect("127.0.0.1", server.port(), T));
      assertTrue(e.getMessage().contains("does not name the host"), e.getMessage());
    }
  }

  @Test
  void aServerOfAnotherCaIsRefused() throws Exception {
    TlsFiles rogue = pki.rogueClient(dir.resolve("rogue-server"));
    TlsFiles rogueServer = new TlsFiles(rogue.caCert(), rogue.certificate(), rogue.privateKey());
    try (OneShotServer server = new OneShotServer(rogueServer, c -> c.receive(T))) {
      IOException e = assertThrows(IOException.class,
          () -> MigrationTls.load(pki.client()).connect("127.0.0.1", server.port(), T));
      assertTrue(e.getMessage().contains("not signed by the CA"), e.getMessage());
    }
  }

  @Test
  void keysInPkcs1AndSec1FormWork() throws Exception {
    for (String kind : List.of("rsa-traditional", "ec")) {
      TlsFiles client = pki.clientWithKey(dir.resolve("key-" + kind), kind);
      try (OneShotServer server = new OneShotServer(pki.server(), c -> c.receive(T))) {
        try (MigrationChannel c = new MigrationChannel(MigrationTls.load(client).connect("127.0.0.1", server.port(),
            T), "server")) {
          c.send(new MigrationMessage.Commit(kind));
        }
        assertEquals(new MigrationMessage.Commit(kind), server.result.get(20, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void missingFilesAreNamed() {
    IOException e = assertThrows(IOException.class,
        () -> MigrationTls.load(TlsFiles.client(dir.resolve("nowhere"))));
    assertTrue(e.getMessage().contains(dir.resolve("nowhere/CA/cacert.pem").toString()), e.getMessage());
  }
}
