package org.virtlxc.checkpoint.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.checkpoint.CheckpointManifest;
import org.virtlxc.checkpoint.Checkpointer;
import org.virtlxc.checkpoint.SaveService;
import org.virtlxc.checkpoint.criu.ConsoleTty;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.criu.CriuExternals;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.MemberSource;
import org.virtlxc.checkpoint.image.SaveImageWriter;
import org.virtlxc.checkpoint.job.JobRegistry;
import org.virtlxc.checkpoint.job.JobResult;

/**
 * The destination's side of the protocol against a scripted source over a real loopback socket, with a recording
 * stand-in for libvirtd: a source that vanishes after "restored" (no commit) gets the restored copy destroyed, a failed
 * start leaves no image or marker behind, a domain running here is refused before anything is received.
 */
class IncomingMigrationTest {
  private static final String NAME = "vlxct-migrate-unit";
  private static final String UUID = "5f3c8a52-52a4-4a4c-9b3e-6a2c1f7b8e02";
  private static final String XML = "<domain type='lxc'><name>" + NAME + "</name><uuid>" + UUID + "</uuid>"
      + "<memory unit='KiB'>65536</memory><os><type>exe</type><init>/bin/sh</init></os><devices>"
      + "<console type='pty'/></devices></domain>";
  private static final HostFacts HOST = new HostFacts("6.18.0", "x86_64", List.of("fpu", "sse2", "xsave"), "4.2.1");
  private static final Duration T = Duration.ofSeconds(20);

  @TempDir
  Path tmp;
  private final RecordingTarget target = new RecordingTarget();

  @BeforeEach
  void dirs() {
    System.setProperty("virtlxc.restore.dir", tmp.resolve("restore").toString());
    System.setProperty("virtlxc.jobs.dir", tmp.resolve("jobs").toString());
  }

  @AfterEach
  void clear() {
    System.clearProperty("virtlxc.restore.dir");
    System.clearProperty("virtlxc.jobs.dir");
  }

  /** Records what the service asked of libvirtd. */
  static final class RecordingTarget implements MigrationTarget {
    Presence presence = Presence.ABSENT;
    IOException startFailure;
    final List<String> calls = new ArrayList<>();

    @Override
    public Presence presence(String name, String uuid) {
      return presence;
    }

    @Override
    public synchronized boolean start(String xml, boolean persistent) throws IOException {
      calls.add("start persistent=" + persistent);
      if (startFailure != null) {
        throw startFailure;
      }
      return persistent;
    }

    @Override
    public synchronized void destroy(String name, boolean undefine) {
      calls.add("destroy " + name + " undefine=" + undefine);
    }
  }

  private CompletableFuture<Void> serveOne(ServerSocket server) {
    IncomingMigration incoming = new IncomingMigration(target,
        new SaveService(new Checkpointer(Criu.fromSystemProperty(), tmp.resolve("libvirt-lxc"))), HOST,
        () -> 1L << 40);
    return CompletableFuture.runAsync(() -> {
      try (Socket s = server.accept(); MigrationChannel c = new MigrationChannel(s, "source")) {
        incoming.run(c);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static MigrationMessage.Hello hello() {
    return new MigrationMessage.Hello(MigrationMessage.PROTOCOL, NAME, UUID, XML, HOST, 1 << 20, List.of(), true,
        false);
  }

  /** A complete save image of the domain, as a source streams it. */
  private byte[] image() throws Exception {
    Path criu = Files.createDirectories(tmp.resolve("dump"));
    Files.write(criu.resolve("inventory.img"), new byte[] {1, 2, 3});
    Files.write(criu.resolve("pages-1.img"), new byte[3 * 4096]);
    Path extra = Files.createDirectories(tmp.resolve("extra"));
    new CheckpointManifest(NAME, UUID, 42, new CriuExternals(ConsoleTty.parse("8800:1a"), List.of("/dev/console"),
        List.of()), Instant.parse("2026-11-27T10:00:00Z")).write(extra);
    List<MemberSource> members = new ArrayList<>(MemberSource.criuDirectory(criu));
    members.add(MemberSource.extra(CheckpointManifest.FILE, extra.resolve(CheckpointManifest.FILE)));
    Manifest m = Manifest.builder(XML).host(HOST).memory(3, 4096).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SaveImageWriter.create().writeTo(out, m, members);
    return out.toByteArray();
  }

  private static MigrationChannel connect(ServerSocket server) throws IOException {
    return new MigrationChannel(new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()), "destination");
  }

  @Test
  void aSourceThatVanishesBeforeItsCommitGetsTheRestoredCopyDestroyed() throws Exception {
    byte[] image = image();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> done = serveOne(server);
      try (MigrationChannel c = connect(server)) {
        c.send(hello());
        c.expect(MigrationMessage.Accept.class, T);
        try (OutputStream out = c.imageOutput()) {
          out.write(image);
        }
        assertEquals(new MigrationMessage.Restored(NAME), c.receive(T));
      } // closed: no commit
      done.get(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of("start persistent=true", "destroy " + NAME + " undefine=true"), target.calls);
    var job = new JobRegistry(tmp.resolve("jobs")).completed(NAME).orElseThrow();
    assertEquals(JobResult.FAILED, job.result());
    assertTrue(job.error().startsWith("the source did not commit"), job.error());
  }

  @Test
  void aFailedStartIsReportedAndLeavesNoImageOrMarker() throws Exception {
    target.startFailure = new IOException("internal error: guest failed to start");
    byte[] image = image();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> done = serveOne(server);
      try (MigrationChannel c = connect(server)) {
        c.send(hello());
        c.expect(MigrationMessage.Accept.class, T);
        try (OutputStream out = c.imageOutput()) {
          out.write(image);
        }
        MigrationMessage.Failed f = c.expect(MigrationMessage.Failed.class, T);
        assertEquals("unable to restore domain " + NAME + " here: internal error: guest failed to start", f.reason());
      }
      done.get(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of("start persistent=true"), target.calls);
    assertFalse(Files.exists(tmp.resolve("restore").resolve(UUID)), "no pending restore or images left");
  }

  @Test
  void aTruncatedImageIsReportedAndLeavesNothing() throws Exception {
    byte[] image = image();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> done = serveOne(server);
      try (MigrationChannel c = connect(server)) {
        c.send(hello());
        c.expect(MigrationMessage.Accept.class, T);
        try (OutputStream out = c.imageOutput()) {
          out.write(image, 0, image.length / 2);
        }
        MigrationMessage.Failed f = c.expect(MigrationMessage.Failed.class, T);
        assertTrue(f.reason().startsWith("unable to restore domain " + NAME + " from the migration stream"), f.reason());
      }
      done.get(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), target.calls);
    assertFalse(Files.exists(tmp.resolve("restore").resolve(UUID)));
  }

  @Test
  void aDomainRunningHereIsRefusedBeforeAnyImage() throws Exception {
    target.presence = new MigrationTarget.Presence(UUID, null, null, true);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> done = serveOne(server);
      try (MigrationChannel c = connect(server)) {
        c.send(hello());
        MigrationMessage m = c.receive(T);
        assertInstanceOf(MigrationMessage.Refuse.class, m);
        assertEquals(List.of("domain " + NAME + " is already running on this host"),
            ((MigrationMessage.Refuse) m).reasons());
      }
      done.get(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), target.calls);
  }
}
