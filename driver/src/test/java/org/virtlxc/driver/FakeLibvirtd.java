package org.virtlxc.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.virtlxc.driver.handshake.Handshake;
import org.virtlxc.driver.monitor.MonitorEvent;
import org.virtlxc.driver.monitor.MonitorProtocol;

/**
 * libvirtd's side of the controller contract, scriptable in tests (in the style of OkHttp's MockWebServer): it owns the
 * two handshake pipes as {@code virLXCProcessStart} lays them out, and connects to the monitor socket as
 * {@code virLXCMonitorNew} does, recording the decoded events of each connection.
 */
public final class FakeLibvirtd implements AutoCloseable {
  private final Path socketPath;
  /** libvirtd writes, controller reads. */
  private final Pipe toController = Pipe.open();
  /** controller writes, libvirtd reads. */
  private final Pipe toLibvirtd = Pipe.open();
  private final List<Connection> connections = new ArrayList<>();

  private FakeLibvirtd(Path socketPath) {
    this.socketPath = socketPath;
  }

  /** A fake libvirtd for the domain whose monitor socket is {@code socketPath}. */
  public static FakeLibvirtd start(Path socketPath) {
    return new FakeLibvirtd(socketPath);
  }

  /** The controller's handshake, on the fds libvirtd would pass as {@code --handshakefds R:W}. */
  public Handshake controllerHandshake() {
    return new Handshake(toController.handOverReadEnd(), toLibvirtd.handOverWriteEnd());
  }

  /** Reads the controller's next handshake byte, which must be {@code 'c'} (libvirtd blocks here, no timeout). */
  public void expectContinue() {
    int b = toLibvirtd.read();
    assertEquals('c', b, "handshake byte from the controller");
  }

  /** Writes {@code 'c'} to the controller. */
  public void sendContinue() {
    toController.write((byte) 'c');
  }

  /** Connects to the monitor socket, once, as libvirtd does after the second handshake byte. */
  public Connection connect() throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socketPath));
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    Connection c = new Connection(ch, "fake-libvirtd-" + connections.size());
    connections.add(c);
    return c;
  }

  @Override
  public void close() throws Exception {
    for (Connection c : connections) {
      c.close();
    }
    toController.close();
    toLibvirtd.close();
  }

  /** One monitor connection; a reader thread records every event and the EOF. */
  public static final class Connection implements AutoCloseable {
    private static final Object EOF = new Object();
    private final SocketChannel channel;
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final Thread reader;

    private Connection(SocketChannel channel, String name) {
      this.channel = channel;
      this.reader = new Thread(this::readLoop, name);
      this.reader.setDaemon(true);
      this.reader.start();
    }

    private void readLoop() {
      try {
        InputStream in = Channels.newInputStream(channel);
        MonitorEvent e;
        while ((e = MonitorProtocol.read(in)) != null) {
          received.add(e);
        }
        received.add(EOF);
      } catch (IOException e) {
        received.add(e);
      }
    }

    /** The next event, failing the test if none arrives in time or the connection ended first. */
    public MonitorEvent takeEvent(Duration timeout) throws InterruptedException {
      Object o = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (o instanceof MonitorEvent e) {
        return e;
      }
      return fail(o == null ? "no event within " + timeout : "connection ended instead: " + describe(o));
    }

    /** Asserts that nothing (no event, no EOF) arrives within {@code quiet}. */
    public void assertNothingWithin(Duration quiet) throws InterruptedException {
      Object o = received.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
      assertNull(o, () -> "expected silence, got " + describe(o));
    }

    /** Asserts that the server closes the connection cleanly, with nothing more before. */
    public void awaitEof(Duration timeout) throws InterruptedException {
      Object o = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(o == EOF, () -> "expected EOF, got " + describe(o));
    }

    private static String describe(Object o) {
      return o == null ? "nothing" : o == EOF ? "EOF" : o.toString();
    }

    /** Disconnects (as libvirtd does when it stops or restarts) and stops the reader. */
    @Override
    public void close() throws InterruptedException, IOException {
      channel.close();
      reader.join(5000);
      assertTrue(!reader.isAlive(), "reader thread stopped");
    }
  }
}
