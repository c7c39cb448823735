package org.virtlxc.driver.monitor;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * XDR encoding of libvirt's RPC framing for the LXC monitor program ({@code lxc_monitor_protocol.x},
 * {@code virnetprotocol.x}; reference §4). A message is a 4-byte big-endian length counting itself, the 24-byte header
 * {@code prog, vers, proc, type, serial, status}, then the payload. Events go out as type MESSAGE, status OK, serial 1,
 * as {@code virLXCControllerEventSend} sends them.
 */
public final class MonitorProtocol {
  public static final int PROGRAM = 0x12341234;
  public static final int VERSION = 1;
  public static final int PROC_EXIT_EVENT = 1;
  public static final int PROC_INIT_EVENT = 2;
  public static final int TYPE_MESSAGE = 2;
  public static final int STATUS_OK = 0;
  public static final int EVENT_SERIAL = 1;

  public static final int LENGTH_SIZE = 4;
  public static final int HEADER_SIZE = 24;
  /** {@code VIR_NET_MESSAGE_MAX}: the largest (length − 4) a receiver accepts. */
  public static final int MAX_MESSAGE = 16 * 1024 * 1024;

  private MonitorProtocol() {}

  /** The complete message for {@code event}, length word included. */
  public static byte[] encode(MonitorEvent event) {
    int proc;
    int payload;
    if (event instanceof MonitorEvent.Init init) {
      proc = PROC_INIT_EVENT;
      payload = 8; // unsigned hyper
    } else if (event instanceof MonitorEvent.Exit) {
      proc = PROC_EXIT_EVENT;
      payload = 4; // enum
    } else {
      throw new IllegalArgumentException("unknown event " + event);
    }
    int length = LENGTH_SIZE + HEADER_SIZE + payload;
    ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
    buf.putInt(length).putInt(PROGRAM).putInt(VERSION).putInt(proc).putInt(TYPE_MESSAGE).putInt(EVENT_SERIAL)
        .putInt(STATUS_OK);
    if (event instanceof MonitorEvent.Init init) {
      buf.putLong(init.initPid());
    } else {
      buf.putInt(((MonitorEvent.Exit) event).status().wire());
    }
    return buf.array();
  }

  /** Decodes one complete message (length word included), checking every field libvirtd's client checks. */
  public static MonitorEvent decode(byte[] message) throws MonitorProtocolException {
    if (message.length < LENGTH_SIZE) {
      throw new MonitorProtocolException("message of " + message.length + " bytes has no length word");
    }
    ByteBuffer buf = ByteBuffer.wrap(message).order(ByteOrder.BIG_ENDIAN);
    int length = checkLength(buf.getInt());
    if (length != message.length) {
      throw new MonitorProtocolException("length word says " + length + " bytes, message has " + message.length);
    }
    return decodeBody(buf);
  }

  /**
   * Reads and decodes the next message from {@code in}.
   *
   * @return the event, or null on a clean end of stream before the first byte of a message
   * @throws EOFException if the stream ends inside a message
   */
  public static MonitorEvent read(InputStream in) throws IOException {
    byte[] lengthWord = new byte[LENGTH_SIZE];
    int got = in.readNBytes(lengthWord, 0, LENGTH_SIZE);
    if (got == 0) {
      return null;
    }
    if (got < LENGTH_SIZE) {
      throw new EOFException("stream ended inside a length word");
    }
    int length = checkLength(ByteBuffer.wrap(lengthWord).getInt());
    byte[] message = new byte[length];
    System.arraycopy(lengthWord, 0, message, 0, LENGTH_SIZE);
    if (in.readNBytes(message, LENGTH_SIZE, length - LENGTH_SIZE) < length - LENGTH_SIZE) {
      throw new EOFException("stream ended inside a " + length + "-byte message");
    }
    return decode(message);
  }

  /** {@code virNetMessageDecodeLength}: at least the length word, at most 16 MiB after it; then room for a header. */
  private static int checkLength(int length) throws MonitorProtocolException {
    long unsigned = Integer.toUnsignedLong(length);
    if (unsigned < LENGTH_SIZE) {
      throw new MonitorProtocolException("message length " + unsigned + " is smaller than its length word");
    }
    if (unsigned - LENGTH_SIZE > MAX_MESSAGE) {
      throw new MonitorProtocolException("message length " + unsigned + " exceeds the " + MAX_MESSAGE + " byte limit");
    }
    if (unsigned < LENGTH_SIZE + HEADER_SIZE) {
      throw new MonitorProtocolException("message length " + unsigned + " is too short for a header");
    }
    return length;
  }

  private static MonitorEvent decodeBody(ByteBuffer buf) throws MonitorProtocolException {
    int prog = buf.getInt();
    int vers = buf.getInt();
    int proc = buf.getInt();
    int type = buf.getInt();
    buf.getInt(); // serial: the client ignores it for messages
    int status = buf.getInt();
    if (prog != PROGRAM || vers != VERSION) {
      throw new MonitorProtocolException(String.format("unknown program 0x%08x version %d", prog, vers));
    }
    if (type != TYPE_MESSAGE) {
      throw new MonitorProtocolException("unexpected message type " + type + " (expected MESSAGE=2)");
    }
    if (status != STATUS_OK) {
      throw new MonitorProtocolException("unexpected message status " + status + " (expected OK=0)");
    }
    MonitorEvent event;
    int expected;
    switch (proc) {
      case PROC_INIT_EVENT -> {
        expected = 8;
        requirePayload(buf, expected, "INIT");
        long pid = buf.getLong();
        if (pid <= 0) {
          throw new MonitorProtocolException("INIT event carries init pid " + Long.toUnsignedString(pid));
        }
        event = new MonitorEvent.Init(pid);
      }
      case PROC_EXIT_EVENT -> {
        expected = 4;
        requirePayload(buf, expected, "EXIT");
        event = new MonitorEvent.Exit(ExitStatus.fromWire(buf.getInt()));
      }
      default -> throw new MonitorProtocolException("unknown procedure " + proc);
    }
    return event;
  }

  private static void requirePayload(ByteBuffer buf, int expected, String what) throws MonitorProtocolException {
    if (buf.remaining() != expected) {
      throw new MonitorProtocolException(
          what + " event payload is " + buf.remaining() + " bytes, expected " + expected);
    }
  }
}
