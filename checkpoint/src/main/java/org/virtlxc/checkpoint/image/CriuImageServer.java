package org.virtlxc.checkpoint.image;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Serves a CRIU images directory to {@code criu restore --stream}, speaking CRIU's image-streamer protocol (the one
 * criu-image-streamer serves): CRIU connects to {@value #SOCKET} in its images directory and, for each image it opens,
 * sends a request (a 4-byte length in host order, then a protobuf {@code img_streamer_request_entry} naming the file);
 * this answers whether the file exists ({@code img_streamer_reply_entry}) and, if it does, receives the write end of a
 * pipe (one byte with {@code SCM_RIGHTS}), splices the file's bytes into it and closes it.
 *
 * <p>Files listed in a {@link MembersInPlace} come from their region of the save image, opened once and checked to be
 * the very file that was verified; the others from the directory itself. So a restore reads the memory pages from the
 * save image's page cache straight into the restored processes, with no copy into tmpfs first. Each file is spliced on
 * a thread of its own: CRIU may open the next image before it has read the last.
 */
public final class CriuImageServer implements AutoCloseable {
  /** The socket CRIU connects to, in its images directory. */
  public static final String SOCKET = "streamer-serve.sock";
  private static final Logger LOG = LogManager.getLogger(CriuImageServer.class);
  private static final int SUN_PATH_MAX = 107;
  private static final int POLL_MILLIS = 100;
  /**
   * The pipe size asked for each file CRIU reads. CRIU reads a page image 4 MiB at a time (1024 pages); a pipe of that
   * size lets the splice fill the next chunk while CRIU copies the last: for 1 GiB read into fresh memory, 0.69 s
   * against 0.77-0.79 s with a 1 MiB pipe, on this VM (a C loop of splice and read; pread of the file: 0.56-0.61 s).
   * Above {@code fs.pipe-max-size} this needs CAP_SYS_RESOURCE; without it, {@link #FALLBACK_PIPE_BYTES}.
   */
  static final int PIPE_BYTES = 4 << 20;
  private static final int FALLBACK_PIPE_BYTES = 1 << 20;
  private static final int MAX_REQUEST = 64 * 1024;

  private final Path dir;
  private final MembersInPlace inPlace;
  private final int imageFd;
  private final int listenFd;
  private final Path socket;
  private final Thread acceptor;
  private final List<Thread> senders = new ArrayList<>();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private volatile boolean closed;

  private CriuImageServer(Path dir, MembersInPlace inPlace, int imageFd, int listenFd, Path socket) {
    this.dir = dir;
    this.inPlace = inPlace;
    this.imageFd = imageFd;
    this.listenFd = listenFd;
    this.socket = socket;
    this.acceptor = new Thread(this::acceptLoop, "criu-image-server");
    this.acceptor.setDaemon(true);
  }

  /** Whether a socket in {@code criuDir} has a path short enough for a unix socket address. */
  public static boolean fits(Path criuDir) {
    return Native.POINTER_SIZE == 8
        && criuDir.toAbsolutePath().resolve(SOCKET).toString().getBytes(StandardCharsets.UTF_8).length
        <= SUN_PATH_MAX;
  }

  /**
   * Listens on {@value #SOCKET} in {@code criuDir}, serving the files of {@code inPlace} from its save image, which
   * must still be the file that was verified, and every other file from {@code criuDir}.
   */
  public static CriuImageServer start(Path criuDir, MembersInPlace inPlace) throws IOException {
    if (!fits(criuDir)) {
      throw new IOException("unable to serve CRIU's images from " + criuDir + ": its path is too long for a unix"
          + " socket");
    }
    int image = Libc.openFile(inPlace.image().toString(), Libc.O_RDONLY);
    try {
      FileIdentity now = FileIdentity.ofOpen(image);
      if (!now.equals(inPlace.identity())) {
        throw new IOException("the save image " + inPlace.image() + " changed since it was verified: "
            + now.changesSince(inPlace.identity()));
      }
      Path socket = criuDir.toAbsolutePath().resolve(SOCKET);
      Files.deleteIfExists(socket);
      int listen = listen(socket);
      CriuImageServer server = new CriuImageServer(criuDir.toAbsolutePath(), inPlace, image, listen, socket);
      server.acceptor.start();
      return server;
    } catch (IOException | RuntimeException e) {
      Libc.closeQuietly(image);
      throw e;
    }
  }

  /** The first thing that went wrong serving a file, if anything did (CRIU then fails reading it). */
  public Optional<String> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Stops listening, waits for the files being sent (CRIU has ended or read them) and closes the save image. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    join(acceptor);
    Libc.closeQuietly(listenFd);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      LOG.warn("unable to remove {}: {}", socket, e.getMessage());
    }
    List<Thread> running;
    synchronized (senders) {
      running = List.copyOf(senders);
    }
    running.forEach(CriuImageServer::join);
    Libc.closeQuietly(imageFd);
  }

  private static int listen(Path socket) throws IOException {
    int fd;
    try {
      fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw Libc.failure("socket", socket.toString(), e);
    }
    try {
      byte[] path = socket.toString().getBytes(StandardCharsets.UTF_8);
      Memory address = new Memory(2 + path.length + 1);
      address.clear();
      address.setShort(0, (short) Libc.AF_UNIX);
      address.write(2, path, 0, path.length);
      Libc.bind(fd, address, (int) address.size());
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      Libc.listen(fd, 4);
      return fd;
    } catch (LastErrorException e) {
      Libc.closeQuietly(fd);
      throw Libc.failure("bind/listen", socket.toString(), e);
    } catch (IOException | RuntimeException e) {
      Libc.closeQuietly(fd);
      throw e;
    }
  }

  private void acceptLoop() {
    try {
      while (!closed) {
        if (!Libc.readable(listenFd, POLL_MILLIS, socket.toString())) {
          continue;
        }
        int connection = Libc.accept4(listenFd, Pointer.NULL, Pointer.NULL, Libc.SOCK_CLOEXEC);
        try {
          serve(connection);
        } finally {
          Libc.closeQuietly(connection);
        }
      }
    } catch (IOException | LastErrorException e) {
      fail("serving " + socket + ": " + e.getMessage());
    }
  }

  /** Answers CRIU's requests on {@code connection} until CRIU closes it (it has opened every image it needs). */
  private void serve(int connection) throws IOException {
    Memory lengthBytes = new Memory(4);
    while (readFully(connection, lengthBytes, 4)) {
      int length = lengthBytes.getInt(0);
      if (length <= 0 || length > MAX_REQUEST) {
        throw new IOException("CRIU sent a request of " + length + " bytes");
      }
      Memory request = new Memory(length);
      if (!readFully(connection, request, length)) {
        throw new EOFException("CRIU closed the connection inside a request");
      }
      String name = fileName(request.getByteArray(0, length));
      Source source = find(name);
      writeFully(connection, reply(source != null));
      if (source != null) {
        send(source, receivePipe(connection));
      }
    }
  }

  /** Where file {@code name}'s bytes are, or null if there is no such file. */
  private Source find(String name) {
    MembersInPlace.Region r = inPlace.files().get(name);
    if (r != null) {
      return new Source(name, imageFd, r.offset(), r.size(), false);
    }
    Path file = dir.resolve(name).normalize();
    if (name.isEmpty() || !file.startsWith(dir) || file.equals(dir) || file.equals(socket)
        || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      LOG.debug("CRIU asked for {}: not there", name);
      return null;
    }
    try {
      int fd = Libc.openFile(file.toString(), Libc.O_RDONLY);
      return new Source(name, fd, 0, Files.size(file), true);
    } catch (IOException e) {
      fail("unable to open " + file + ": " + e.getMessage());
      return null;
    }
  }

  private void send(Source source, int pipe) {
    Thread t = new Thread(() -> {
      try {
        splice(source, pipe);
      } finally {
        Libc.closeQuietly(pipe);
        if (source.ownsFd()) {
          Libc.closeQuietly(source.fd());
        }
      }
    }, "criu-image-server " + source.name());
    t.setDaemon(true);
    synchronized (senders) {
      senders.removeIf(s -> !s.isAlive());
      senders.add(t);
    }
    t.start();
  }

  private void splice(Source source, int pipe) {
    long chunk = widen(pipe);
    Memory offset = new Memory(8);
    offset.setLong(0, source.offset());
    long left = source.size();
    while (left > 0) {
      long n;
      try {
        n = Libc.splice(source.fd(), offset, pipe, Pointer.NULL, Math.min(left, chunk),
            Libc.SPLICE_F_MOVE | Libc.SPLICE_F_MORE);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == Libc.EINTR) {
          continue;
        }
        if (e.getErrorCode() == Libc.EPIPE) { // CRIU stopped reading: it failed, and says why in its log
          LOG.debug("CRIU closed {} after {} of {} bytes", source.name(), source.size() - left, source.size());
        } else {
          fail("unable to send " + source.name() + " to CRIU: " + Libc.message(e.getErrorCode()));
        }
        return;
      }
      if (n == 0) {
        fail("unable to send " + source.name() + " to CRIU: " + (source.ownsFd() ? "the file" : "the save image "
            + inPlace.image()) + " ends " + left + " bytes early");
        return;
      }
      left -= n;
    }
  }

  /** Sizes {@code pipe} to {@link #PIPE_BYTES} if allowed, else as large as allowed; the bytes to splice at a time. */
  private static long widen(int pipe) {
    for (int bytes : new int[] {PIPE_BYTES, FALLBACK_PIPE_BYTES}) {
      try {
        return Libc.fcntl(pipe, Libc.F_SETPIPE_SZ, bytes);
      } catch (LastErrorException e) {
        // EPERM above fs.pipe-max-size without CAP_SYS_RESOURCE: try the smaller size
      }
    }
    return FALLBACK_PIPE_BYTES; // the default size is slower, not wrong: splice moves what fits
  }

  /** The file name in a protobuf {@code img_streamer_request_entry} ({@code required string filename = 1}). */
  static String fileName(byte[] message) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(message);
    String name = null;
    while (b.hasRemaining()) {
      long key = varint(b);
      int wireType = (int) (key & 7);
      if (wireType == 2) {
        long length = varint(b);
        if (length < 0 || length > b.remaining()) {
          throw new IOException("CRIU sent a malformed request (field length " + length + ")");
        }
        byte[] value = new byte[(int) length];
        b.get(value);
        if (key >>> 3 == 1) {
          name = new String(value, StandardCharsets.UTF_8);
        }
      } else if (wireType == 0) {
        varint(b);
      } else {
        throw new IOException("CRIU sent a malformed request (wire type " + wireType + ")");
      }
    }
    if (name == null) {
      throw new IOException("CRIU sent a request without a file name");
    }
    return name;
  }

  private static long varint(ByteBuffer b) throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!b.hasRemaining()) {
        throw new IOException("CRIU sent a malformed request (cut varint)");
      }
      byte x = b.get();
      value |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return value;
      }
    }
    throw new IOException("CRIU sent a malformed request (varint too long)");
  }

  /** A length-prefixed protobuf {@code img_streamer_reply_entry} ({@code required bool exists = 1}). */
  static byte[] reply(boolean exists) {
    ByteBuffer b = ByteBuffer.allocate(6).order(ByteOrder.nativeOrder());
    b.putInt(2).put((byte) 0x08).put((byte) (exists ? 1 : 0));
    return b.array();
  }

  /** The pipe end CRIU passes after a reply that the file exists. */
  private static int receivePipe(int connection) throws IOException {
    Memory data = new Memory(1);
    Memory iov = new Memory(16);
    iov.setPointer(0, data);
    iov.setLong(8, 1);
    Memory control = new Memory(64);
    control.clear();
    Memory msg = new Memory(56);
    msg.clear();
    msg.setPointer(16, iov);
    msg.setLong(24, 1);
    msg.setPointer(32, control);
    msg.setLong(40, control.size());
    long n;
    do {
      try {
        n = Libc.recvmsg(connection, msg, Libc.MSG_CMSG_CLOEXEC);
        break;
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Libc.EINTR) {
          throw new IOException("recvmsg from CRIU: " + Libc.message(e.getErrorCode()));
        }
      }
    } while (true);
    long controlLength = msg.getLong(40);
    if (n <= 0 || controlLength < 20 || control.getInt(8) != Libc.SOL_SOCKET
        || control.getInt(12) != Libc.SCM_RIGHTS) {
      throw new IOException("CRIU sent no pipe for the file it asked for");
    }
    return control.getInt(16);
  }

  /** Reads {@code length} bytes; false at a clean end of the connection before any of them. */
  private boolean readFully(int fd, Memory buffer, int length) throws IOException {
    int done = 0;
    while (done < length) {
      if (!Libc.readable(fd, POLL_MILLIS, socket.toString())) {
        if (closed) {
          throw new IOException("closed while CRIU was connected");
        }
        continue;
      }
      long n;
      try {
        n = Libc.read(fd, buffer.share(done), length - done);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == Libc.EINTR) {
          continue;
        }
        throw new IOException("read from CRIU: " + Libc.message(e.getErrorCode()));
      }
      if (n == 0) {
        if (done == 0) {
          return false;
        }
        throw new EOFException("CRIU closed the connection inside a message");
      }
      done += (int) n;
    }
    return true;
  }

  private static void writeFully(int fd, byte[] bytes) throws IOException {
    Memory m = new Memory(bytes.length);
    m.write(0, bytes, 0, bytes.length);
    long done = 0;
    while (done < bytes.length) {
      try {
        done += Libc.write(fd, m.share(done), bytes.length - done);
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Libc.EINTR) {
          throw new IOException("write to CRIU: " + Libc.message(e.getErrorCode()));
        }
      }
    }
  }

  private void fail(String message) {
    if (failure.compareAndSet(null, message)) {
      LOG.error("{}", message);
    }
  }

  private static void join(Thread t) {
    try {
      t.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Source(String name, int fd, long offset, long size, boolean ownsFd) {}
}
