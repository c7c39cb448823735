package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.SaveService;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.image.HostFacts;

/**
 * virt-lxc's migration service on a destination host ({@code virt-lxc migration-service}): accepts migrations over
 * mutually authenticated TLS on port {@value MigrationAddress#DEFAULT_PORT} (by default) and runs each one
 * ({@link IncomingMigration}) on its own thread; a peer without a certificate signed by the CA is refused at the
 * handshake and logged.
 */
public final class MigrationService implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(MigrationService.class);
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(20);

  private final SSLServerSocket server;
  private final IncomingMigration incoming;
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "migration-in");
    t.setDaemon(true);
    return t;
  });
  private final Thread acceptor;

  private MigrationService(SSLServerSocket server, IncomingMigration incoming) {
    this.server = server;
    this.incoming = incoming;
    this.acceptor = new Thread(this::acceptLoop, "migration-accept");
    this.acceptor.setDaemon(true);
  }

  /** Listens on {@code address} (port 0: any free port) and starts accepting. */
  public static MigrationService start(MigrationTls tls, InetSocketAddress address, MigrationTarget target,
      SaveService saves, Criu criu) throws IOException {
    Objects.requireNonNull(target, "target");
    HostFacts host = HostFacts.current(criu.binary());
    SSLServerSocket s;
    try {
      s = tls.listen(address);
    } catch (IOException e) {
      throw new IOException("unable to listen on " + address + ": " + e.getMessage(), e);
    }
    MigrationService service = new MigrationService(s,
        new IncomingMigration(target, saves, host, IncomingMigration::memAvailable, criu));
    service.acceptor.start();
    CipherWarmUp.start(); // so that the first migration's image is not decrypted by uncompiled code
    org.virtlxc.checkpoint.image.ImageReadWarmUp.start(); // nor checked and unpacked by uncompiled code
    LOG.info("migration service listening on {} (CA {}, certificate {})", s.getLocalSocketAddress(),
        tls.files().caCert(), tls.files().certificate());
    return service;
  }

  /** The port it listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** Blocks until the service is closed. */
  public void awaitClose() throws InterruptedException {
    acceptor.join();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      SSLSocket s;
      try {
        s = (SSLSocket) server.accept();
      } catch (SocketException e) {
        break; // closed
      } catch (IOException e) {
        LOG.warn("migration service: accept failed: {}", e.getMessage());
        continue;
      }
      workers.execute(() -> serve(s));
    }
  }

  private void serve(SSLSocket s) {
    String peer = s.getRemoteSocketAddress().toString();
    try {
      MigrationTls.accept(s, HANDSHAKE_TIMEOUT);
    } catch (IOException e) {
      LOG.warn("migration service: {}", e.getMessage());
      MigrationTls.close(s);
      return;
    }
    LOG.info("migration service: connection from {} ({})", peer, MigrationTls.peerSubject(s));
    try (MigrationChannel channel = new MigrationChannel(s, peer)) {
      incoming.run(channel);
    } catch (IOException | RuntimeException e) {
      LOG.warn("migration service: connection from {} failed: {}", peer, e.toString());
    }
  }

  @Override
  public void close() {
    MigrationTls.close(server);
    workers.shutdown();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("migration service closed with migrations still running");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
