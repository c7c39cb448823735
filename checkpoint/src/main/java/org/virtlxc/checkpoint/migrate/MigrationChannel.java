package org.virtlxc.checkpoint.migrate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.virtlxc.checkpoint.job.JobAbortedException;

/**
 * One migration's connection: framed control messages ({@link MigrationMessage} as JSON) and the save image as a
 * stream of data frames. A frame is one type byte, a 4-byte big-endian length and that many bytes:
 * {@code 'M'} a message, {@code 'D'} image data, {@code 'E'} the image's end, {@code 'X'} the image aborted (UTF-8
 * reason). The image stream is so self-delimited that control messages can follow it on the same connection.
 */
public final class MigrationChannel implements AutoCloseable {
  static final int MAX_MESSAGE = 16 << 20;
  private static final int CHUNK = 256 << 10;
  private static final byte MESSAGE = 'M';
  private static final byte DATA = 'D';
  private static final byte END = 'E';
  private static final byte ABORT = 'X';
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Socket socket;
  private final String peer;
  private final DataInputStream in;
  private final DataOutputStream out;

  public MigrationChannel(Socket socket, String peer) throws IOException {
    this.socket = socket;
    this.peer = peer;
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
  }

  /** Who is at the other end, for messages ("host:port"). */
  public String peer() {
    return peer;
  }

  public Socket socket() {
    return socket;
  }

  public synchronized void send(MigrationMessage m) throws IOException {
    byte[] json = JSON.writeValueAsBytes(m);
    writeFrame(MESSAGE, json, json.length);
    out.flush();
  }

  /** The next message; waits at most {@code timeout} (zero: for ever). */
  public MigrationMessage receive(Duration timeout) throws IOException {
    int old = socket.getSoTimeout();
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try {
      int type = readType();
      int length = readLength();
      byte[] body = in.readNBytes(length);
      if (body.length < length) {
        throw new EOFException("the connection to " + peer + " ended in the middle of a message");
      }
      if (type != MESSAGE) {
        throw new IOException("protocol error: expected a message from " + peer + ", got a frame of type '"
            + (char) type + "'");
      }
      try {
        return JSON.readValue(body, MigrationMessage.class);
      } catch (IOException e) {
        throw new IOException("protocol error: unreadable message from " + peer + ": " + e.getMessage(), e);
      }
    } catch (SocketTimeoutException e) {
      throw new SocketTimeoutException("no answer from " + peer + " in " + timeout.toSeconds() + " s");
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(old);
      }
    }
  }

  /** Runs while {@link #receiveWatching} waits; throwing {@link JobAbortedException} ends the wait. */
  @FunctionalInterface
  public interface Watch {
    void check() throws JobAbortedException;
  }

  /**
   * The next message within {@code timeout}, read on a thread of its own while {@code watch} runs about every 200 ms
   * (e.g. to notice a {@code domjobabort}: its exception ends the wait and is thrown). Interrupted, the connection is
   * closed.
   */
  public MigrationMessage receiveWatching(Duration timeout, Watch watch) throws IOException {
    CompletableFuture<MigrationMessage> answer = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        answer.complete(receive(timeout));
      } catch (IOException | RuntimeException e) {
        answer.completeExceptionally(e);
      }
    }, "migration-answer");
    reader.setDaemon(true);
    reader.start();
    while (true) {
      try {
        return answer.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        watch.check();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new IOException(String.valueOf(e.getCause()), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new java.io.InterruptedIOException("interrupted while waiting for " + peer);
      }
    }
  }

  /** The next message, which must be of {@code type}; a {@link MigrationMessage.Failed} or other type is an error. */
  public <T extends MigrationMessage> T expect(Class<T> type, Duration timeout) throws IOException {
    MigrationMessage m = receive(timeout);
    if (type.isInstance(m)) {
      return type.cast(m);
    }
    throw new IOException("protocol error: expected " + type.getSimpleName() + " from " + peer + ", got " + m);
  }

  /**
   * The image's stream: written as data frames; {@link OutputStream#close()} sends the end frame (the socket stays
   * open). {@link #abortImage} ends it instead, naming why.
   */
  public OutputStream imageOutput() {
    return new OutputStream() {
      private final byte[] one = new byte[1];
      private boolean closed;

      @Override
      public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
          throw new IOException("image stream to " + peer + " already ended");
        }
        try {
          while (len > 0) {
            int n = Math.min(len, CHUNK);
            writeFrame(DATA, b, off, n);
            off += n;
            len -= n;
          }
        } catch (IOException e) {
          throw broken(e);
        }
      }

      @Override
      public void flush() throws IOException {
        try {
          out.flush();
        } catch (IOException e) {
          throw broken(e);
        }
      }

      @Override
      public void close() throws IOException {
        if (!closed) {
          closed = true;
          try {
            writeFrame(END, new byte[0], 0);
            out.flush();
          } catch (IOException e) {
            throw broken(e);
          }
        }
      }

      private IOException broken(IOException e) {
        return new IOException("the connection to " + peer + " broke while the image was sent: " + e.getMessage(), e);
      }
    };
  }

  /** Ends an image stream that could not be completed, telling the destination why (best effort). */
  public void abortImage(String reason) {
    try {
      byte[] b = reason.getBytes(StandardCharsets.UTF_8);
      writeFrame(ABORT, b, b.length);
      out.flush();
    } catch (IOException e) {
      // the connection is gone: the destination sees that as well
    }
  }

  /**
   * The image as the source sends it: data frames until the end frame (then end of stream). An abort frame or a
   * control message is an {@link IOException} naming it; so is the connection ending early.
   */
  public InputStream imageInput() {
    return new InputStream() {
      private int left;
      private boolean ended;

      @Override
      public int read() throws IOException {
        byte[] b = new byte[1];
        int n = read(b, 0, 1);
        return n < 0 ? -1 : b[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        while (left == 0) {
          if (ended) {
            return -1;
          }
          int type = readType();
          int length = readLength();
          if (type == DATA) {
            left = length;
          } else if (type == END) {
            in.skipNBytes(length);
            ended = true;
          } else if (type == ABORT) {
            throw new IOException("the source " + peer + " aborted the image: "
                + new String(in.readNBytes(length), StandardCharsets.UTF_8));
          } else {
            throw new IOException("protocol error: expected image data from " + peer + ", got a frame of type '"
                + (char) type + "'");
          }
        }
        int n = in.read(b, off, Math.min(len, left));
        if (n < 0) {
          throw new EOFException("the connection to " + peer + " ended in the middle of the image");
        }
        left -= n;
        return n;
      }
    };
  }

  /**
   * The connection's bytes after the messages read so far (buffered ones included), for a connection that carries
   * raw data from here on (a post-copy page connection, see {@link PageRelay}).
   */
  public InputStream rawInput() {
    return in;
  }

  /** The connection's output for raw data after the messages sent so far; flush after each write. */
  public OutputStream rawOutput() {
    return out;
  }

  private int readType() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("the connection to " + peer + " was closed");
    }
    return type;
  }

  private int readLength() throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_MESSAGE) {
      throw new IOException("protocol error: frame of " + length + " bytes from " + peer);
    }
    return length;
  }

  private synchronized void writeFrame(byte type, byte[] b, int len) throws IOException {
    writeFrame(type, b, 0, len);
  }

  private synchronized void writeFrame(byte type, byte[] b, int off, int len) throws IOException {
    out.writeByte(type);
    out.writeInt(len);
    out.write(b, off, len);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
