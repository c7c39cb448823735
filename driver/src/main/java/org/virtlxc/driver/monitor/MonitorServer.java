package org.virtlxc.driver.monitor;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The controller's monitor socket ({@code /run/libvirt/lxc/NAME.sock}), serving libvirtd as libvirt_lxc's
 * {@code virNetServer} does (reference §4): one client at a time (max_clients = 1: a second connection waits in the
 * listen backlog until the first is gone, then is served); INIT goes to every client as soon as both it and the init
 * pid exist, repeated once {@link #INIT_SETTLE} after the connection (libvirt_lxc sends it once to its first client
 * only; see {@link #initStarted}); EXIT goes to the client connected when init dies, then the connection and the
 * server close. libvirtd never sends anything; whatever a client sends is read and dropped.
 *
 * <p>One daemon thread accepts and waits for the client's EOF, both blocking calls that {@link #close()} interrupts by
 * closing the channels. All public methods are thread-safe.
 */
public final class MonitorServer implements AutoCloseable {
  /** libvirt's {@code LXC_STATE_DIR} for the system daemon. */
  public static final Path STATE_DIR = Paths.get("/run/libvirt/lxc");

  private static final Logger LOG = LogManager.getLogger(MonitorServer.class);
  /** {@code virNetSocketListen}'s backlog when none is configured. */
  private static final int BACKLOG = 30;
  /** Longest path {@code sun_path} holds, NUL excluded. */
  private static final int MAX_PATH_BYTES = 107;
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
  /**
   * When INIT goes to a connection a second time. libvirtd's {@code virLXCMonitorNew} registers the connection with its
   * event loop before it installs the event handlers; an INIT read in between is dropped and libvirtd never learns the
   * init pid (seen in CI). libvirt_lxc sends INIT once, at once, and takes that chance. This controller also sends it
   * at once (libvirtd needs the pid right after {@code virsh start} returns, e.g. to start a domain sharing this one's
   * namespaces), and once more after this delay, when libvirtd has long finished; a repeated INIT costs libvirtd an
   * audit record and a status save.
   */
  static final Duration INIT_SETTLE = Duration.ofMillis(150);

  private final Path path;
  /** Identity (device, inode) of the socket file this server created, or null if it could not be read. */
  private final Object socketFileKey;
  private final ServerSocketChannel listener;
  private final Thread thread;
  private final Object lock = new Object();

  // guarded by lock
  private SocketChannel client;
  private long initPid;
  /** The client INIT last went to: each connection gets it once. */
  private SocketChannel initSentTo;
  private boolean closed;
  private long acceptedTotal;

  private MonitorServer(Path path, ServerSocketChannel listener, Object socketFileKey) {
    this.path = path;
    this.socketFileKey = socketFileKey;
    this.listener = listener;
    this.thread = new Thread(this::serve, "monitor-" + path.getFileName());
    this.thread.setDaemon(true);
  }

  /** {@code /run/libvirt/lxc/NAME.sock}. */
  public static Path socketPath(String domainName) {
    return STATE_DIR.resolve(domainName + ".sock");
  }

  /**
   * Unlinks any stale {@code socketPath}, listens there with mode 0700 and starts serving. The socket is bound under a
   * temporary name, restricted to 0700 and then renamed into place, so it never exists at {@code socketPath} with a
   * wider mode.
   */
  public static MonitorServer start(Path socketPath) throws IOException {
    Path abs = socketPath.toAbsolutePath();
    if (abs.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw new IOException("unable to listen on " + abs + ": path longer than " + MAX_PATH_BYTES + " bytes");
    }
    Path tmp = abs.resolveSibling(
        "." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL));
    if (tmp.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      tmp = abs.resolveSibling(".mon" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL));
    }
    Files.deleteIfExists(abs);
    ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      listener.bind(UnixDomainSocketAddress.of(tmp), BACKLOG);
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
    } catch (IOException e) {
      listener.close();
      throw new IOException("unable to listen on " + abs + ": " + e.getMessage(), e);
    }
    MonitorServer server = new MonitorServer(abs, listener, fileKey(abs));
    server.thread.start();
    LOG.debug("listening on {}", abs);
    return server;
  }

  /** Where the server listens. */
  public Path path() {
    return path;
  }

  /**
   * Records the init pid (host pid namespace) and sends INIT to the connected client, and to every client that
   * connects later. libvirt_lxc gives INIT only to its first client and relies on libvirtd's status XML after a
   * restart; a libvirtd stopped before it had handled or saved INIT then never learns the init pid (seen here: a domain
   * running for an hour, and once in CI, with lxc-enter-namespace answering "Init pid is not yet available"). A second
   * INIT costs libvirtd an audit record and a status save, nothing else.
   */
  public void initStarted(long pid) {
    if (pid <= 0) {
      throw new IllegalArgumentException("init pid must be positive: " + pid);
    }
    synchronized (lock) {
      if (initPid != 0) {
        throw new IllegalStateException("init pid already reported: " + initPid);
      }
      initPid = pid;
      if (!closed && client != null) {
        sendInitLocked();
      }
    }
  }

  /** Sends INIT again to the connected client, if any and if the init pid is known (see {@link InitRecordWatch}). */
  public void resendInit() {
    synchronized (lock) {
      if (closed || client == null || initPid == 0) {
        return;
      }
      try {
        writeLocked(client, new MonitorEvent.Init(initPid));
        initSentTo = client;
      } catch (IOException e) {
        LOG.debug("unable to send INIT again: {}", e.getMessage());
      }
    }
  }

  /**
   * Sends EXIT to the connected client, if any (without one the event is dropped, as libvirt_lxc drops it), then
   * closes the connection and the server. Data already written is still delivered to libvirtd before its EOF.
   */
  public void initExited(ExitStatus status) {
    Objects.requireNonNull(status, "status");
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (client != null) {
        try {
          writeLocked(client, new MonitorEvent.Exit(status));
          LOG.debug("sent EXIT {}", status);
        } catch (IOException e) {
          LOG.warn("unable to send the EXIT event to libvirtd: {}", e.getMessage());
        }
      } else {
        LOG.debug("no client connected: EXIT {} dropped", status);
      }
    }
    close();
  }

  /** Whether a client is connected now. */
  public boolean hasClient() {
    synchronized (lock) {
      return client != null;
    }
  }

  /** How many connections have been accepted so far (diagnostics, tests). */
  public long acceptedCount() {
    synchronized (lock) {
      return acceptedTotal;
    }
  }

  /**
   * Removes the socket file (only if it is still the one this server created), then closes the listening socket and
   * the connection, and stops the thread. Idempotent. The file goes first: libvirtd reacts to the connection's EOF
   * (after a REBOOT by starting a new controller, which listens on the same path), so nothing may touch the path after
   * the connection is closed.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (!closed) {
        closed = true;
        removeSocketFile();
        closeQuietly(listener);
        closeQuietly(client);
        client = null;
      }
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join(JOIN_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn("monitor thread did not stop within {}", JOIN_TIMEOUT);
      }
    }
  }

  private void removeSocketFile() {
    try {
      Object key = fileKey(path);
      if (key == null) {
        return;
      }
      if (socketFileKey != null && !key.equals(socketFileKey)) {
        LOG.debug("monitor socket {} is no longer ours: left in place", path);
        return;
      }
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("unable to remove monitor socket {}: {}", path, e.getMessage());
    }
  }

  /** The file's (device, inode) identity, or null if it does not exist or cannot be read. */
  private static Object fileKey(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  private void serve() {
    try {
      while (true) {
        SocketChannel accepted = listener.accept();
        if (!adopt(accepted)) {
          closeQuietly(accepted);
          return;
        }
        settle(accepted);
        drainUntilEof(accepted);
        release(accepted);
      }
    } catch (ClosedChannelException e) {
      // close() closed the listener: normal end
    } catch (IOException | RuntimeException e) {
      LOG.error("monitor socket {} failed: {}", path, e.toString());
    }
  }

  private boolean adopt(SocketChannel accepted) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      client = accepted;
      acceptedTotal++;
      LOG.debug("libvirtd connected{}", acceptedTotal == 1 ? "" : " again");
      if (initPid != 0) {
        sendInitLocked();
      }
      return true;
    }
  }

  /** INIT once more, {@link #INIT_SETTLE} after the connection, if it went to this connection before. */
  private void settle(SocketChannel accepted) {
    try {
      Thread.sleep(INIT_SETTLE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    synchronized (lock) {
      if (client == accepted && !closed && initSentTo == accepted) {
        try {
          writeLocked(accepted, new MonitorEvent.Init(initPid));
          LOG.debug("sent INIT {} again", initPid);
        } catch (IOException e) {
          LOG.debug("unable to repeat the INIT event: {}", e.getMessage());
        }
      }
    }
  }

  private void drainUntilEof(SocketChannel ch) {
    ByteBuffer sink = ByteBuffer.allocate(512);
    try {
      while (ch.read(sink) >= 0) {
        sink.clear(); // libvirtd sends no calls to the LXC monitor program: drop whatever arrives
      }
    } catch (IOException e) {
      // closed by us (initExited/close) or reset by the peer: the client is gone either way
    }
  }

  private void release(SocketChannel ch) {
    synchronized (lock) {
      if (client == ch) {
        client = null;
        LOG.debug("libvirtd disconnected");
      }
    }
    closeQuietly(ch);
  }

  private void sendInitLocked() {
    if (initSentTo == client) {
      return;
    }
    initSentTo = client;
    try {
      writeLocked(client, new MonitorEvent.Init(initPid));
      LOG.debug("sent INIT {}", initPid);
    } catch (IOException e) {
      LOG.warn("unable to send the INIT event to libvirtd: {}", e.getMessage());
    }
  }

  private static void writeLocked(SocketChannel ch, MonitorEvent event) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(MonitorProtocol.encode(event));
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // nothing useful to do: the fd is released
    }
  }
}
