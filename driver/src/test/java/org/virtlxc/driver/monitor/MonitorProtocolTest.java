package org.virtlxc.driver.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The byte examples of reference §4, and the decoder's length and field checks. */
class MonitorProtocolTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] hex(String spaced) {
    return HEX.parseHex(spaced.replace(" ", ""));
  }

  @Test
  void initEventForPid12345() {
    assertArrayEquals(
        hex("00000024 12341234 00000001 00000002 00000002 00000001 00000000 0000000000003039"),
        MonitorProtocol.encode(new MonitorEvent.Init(12345)));
  }

  @Test
  void exitEventShutdown() {
    assertArrayEquals(
        hex("00000020 12341234 00000001 00000001 00000002 00000001 00000000 00000001"),
        MonitorProtocol.encode(new MonitorEvent.Exit(ExitStatus.SHUTDOWN)));
  }

  @Test
  void exitEventRebootAndError() {
    assertArrayEquals(
        hex("00000020 12341234 00000001 00000001 00000002 00000001 00000000 00000002"),
        MonitorProtocol.encode(new MonitorEvent.Exit(ExitStatus.REBOOT)));
    assertArrayEquals(
        hex("00000020 12341234 00000001 00000001 00000002 00000001 00000000 00000000"),
        MonitorProtocol.encode(new MonitorEvent.Exit(ExitStatus.ERROR)));
  }

  @Test
  void initPidUsesAllEightBytes() {
    assertArrayEquals(
        hex("00000024 12341234 00000001 00000002 00000002 00000001 00000000 0000000100000002"),
        MonitorProtocol.encode(new MonitorEvent.Init(0x1_0000_0002L)));
  }

  @Test
  void decodesWhatItEncodes() throws Exception {
    for (MonitorEvent e : new MonitorEvent[] {new MonitorEvent.Init(4242), new MonitorEvent.Exit(ExitStatus.SHUTDOWN),
        new MonitorEvent.Exit(ExitStatus.REBOOT), new MonitorEvent.Exit(ExitStatus.ERROR)}) {
      assertEquals(e, MonitorProtocol.decode(MonitorProtocol.encode(e)));
    }
  }

  @Test
  void readsAStreamOfMessagesThenCleanEof() throws Exception {
    byte[] a = MonitorProtocol.encode(new MonitorEvent.Init(7));
    byte[] b = MonitorProtocol.encode(new MonitorEvent.Exit(ExitStatus.REBOOT));
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    ByteArrayInputStream in = new ByteArrayInputStream(both);
    assertEquals(new MonitorEvent.Init(7), MonitorProtocol.read(in));
    assertEquals(new MonitorEvent.Exit(ExitStatus.REBOOT), MonitorProtocol.read(in));
    assertNull(MonitorProtocol.read(in));
  }

  @Test
  void truncatedStreamIsEof() {
    byte[] a = MonitorProtocol.encode(new MonitorEvent.Init(7));
    byte[] cut = java.util.Arrays.copyOf(a, a.length - 1);
    assertThrows(EOFException.class, () -> MonitorProtocol.read(new ByteArrayInputStream(cut)));
    assertThrows(EOFException.class, () -> MonitorProtocol.read(new ByteArrayInputStream(new byte[] {0, 0})));
  }

  @Test
  void lengthBoundsAreChecked() {
    assertEquals("message length 3 is smaller than its length word", decodeError("00000003"));
    assertEquals("message length 16777221 exceeds the 16777216 byte limit",
        assertThrows(MonitorProtocolException.class,
            () -> MonitorProtocol.read(new ByteArrayInputStream(hex("01000005")))).getMessage());
    assertEquals("message length 4294967295 exceeds the 16777216 byte limit",
        assertThrows(MonitorProtocolException.class,
            () -> MonitorProtocol.read(new ByteArrayInputStream(hex("ffffffff")))).getMessage());
    assertEquals("message length 8 is too short for a header", decodeError("00000008 12341234"));
    assertEquals("length word says 32 bytes, message has 36",
        decodeError("00000020 12341234 00000001 00000002 00000002 00000001 00000000 0000000000003039"));
  }

  @Test
  void headerFieldsAreChecked() {
    assertEquals("unknown program 0x12341235 version 1",
        decodeError("00000020 12341235 00000001 00000001 00000002 00000001 00000000 00000001"));
    assertEquals("unknown program 0x12341234 version 2",
        decodeError("00000020 12341234 00000002 00000001 00000002 00000001 00000000 00000001"));
    assertEquals("unexpected message type 0 (expected MESSAGE=2)",
        decodeError("00000020 12341234 00000001 00000001 00000000 00000001 00000000 00000001"));
    assertEquals("unexpected message status 1 (expected OK=0)",
        decodeError("00000020 12341234 00000001 00000001 00000002 00000001 00000001 00000001"));
    assertEquals("unknown procedure 3",
        decodeError("00000020 12341234 00000001 00000003 00000002 00000001 00000000 00000001"));
    assertEquals("EXIT event payload is 8 bytes, expected 4",
        decodeError("00000024 12341234 00000001 00000001 00000002 00000001 00000000 0000000000003039"));
    assertEquals("unknown exit status 3",
        decodeError("00000020 12341234 00000001 00000001 00000002 00000001 00000000 00000003"));
    assertEquals("INIT event carries init pid 0",
        decodeError("00000024 12341234 00000001 00000002 00000002 00000001 00000000 0000000000000000"));
  }

  @Test
  void serialIsIgnoredOnDecode() throws Exception {
    assertEquals(new MonitorEvent.Exit(ExitStatus.SHUTDOWN), MonitorProtocol.decode(
        hex("00000020 12341234 00000001 00000001 00000002 00000000 00000000 00000001")));
  }

  private static String decodeError(String spacedHex) {
    return assertThrows(MonitorProtocolException.class, () -> MonitorProtocol.decode(hex(spacedHex))).getMessage();
  }
}
