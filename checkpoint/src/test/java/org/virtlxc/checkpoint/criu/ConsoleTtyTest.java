package org.virtlxc.checkpoint.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleTtyTest {
  /** /dev/pts/4 (136:4) on the devpts with device 0:26, as stat(2) reports them. */
  private static final ConsoleTty PTS4 = new ConsoleTty(0x8804, 0x1a);

  @Test
  void keyIsRdevColonDevInHexAsCriuNamesExternalTtys() {
    assertEquals("8804:1a", PTS4.key());
    assertEquals("tty[8804:1a]", PTS4.external());
    assertEquals(PTS4, ConsoleTty.parse("8804:1a"));
    assertEquals(4, PTS4.ptyNumber());
    assertEquals("0:26", PTS4.devptsDevice());
  }

  @Test
  void largePtyNumbersUseTheExtendedMinorBits() {
    ConsoleTty pts300 = new ConsoleTty((136L << 8) | (300 & 0xff) | ((300L & ~0xffL) << 12), 0x1a);
    assertEquals(300, pts300.ptyNumber());
  }

  @Test
  void aSiblingIsAnotherPtyOfTheSameDevpts() {
    assertEquals(new ConsoleTty(0x8805, 0x1a), PTS4.sibling(5));
    assertEquals(300, PTS4.sibling(300).ptyNumber());
    assertEquals(PTS4.devptsDevice(), PTS4.sibling(300).devptsDevice());
  }

  @Test
  void parseRejectsWhatIsNotAKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConsoleTty.parse("8804"));
    assertTrue(e.getMessage().contains("'8804'"), e.getMessage());
  }

  @Test
  void ofInitRefusesAProcessWhoseStdinIsNoPty() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "30").redirectInput(new java.io.File("/dev/null")).start();
    try {
      IOException e = assertThrows(IOException.class, () -> ConsoleTty.ofInit(sleep.pid()));
      assertTrue(e.getMessage().contains("(/dev/null) is not a pty slave (device 1:3)"), e.getMessage());
    } finally {
      sleep.destroyForcibly().waitFor();
    }
  }

  @Test
  void consoleMountsAreTheBindsOfThatPty() {
    List<MountInfo> mounts = MountInfo.parse(List.of(
        "93 63 254:0 /tmp/vlxct/root / rw,relatime - ext4 /dev/vda rw",
        "97 93 0:45 / /dev rw,nosuid,relatime - tmpfs devfs rw,size=64k,mode=755",
        "98 97 0:46 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666",
        "99 97 0:26 /4 /dev/console rw,relatime - devpts devpts rw,mode=600,ptmxmode=000",
        "100 97 0:26 /4 /dev/tty1 rw,relatime - devpts devpts rw,mode=600,ptmxmode=000",
        "101 97 0:26 /5 /dev/tty2 rw,relatime - devpts devpts rw,mode=600,ptmxmode=000",
        "102 93 254:0 /srv/my\\040share /mnt/share rw,relatime - ext4 /dev/vda rw"));
    assertEquals(List.of("/dev/console", "/dev/tty1"), MountInfo.mountPointsOf(PTS4, mounts));
    assertEquals(List.of(new ExtraConsole(1, new ConsoleTty(0x8805, 0x1a), List.of("/dev/tty2"))),
        MountInfo.extraConsoles(PTS4, mounts), "/dev/tty2 is the second console, pty 5 of the same devpts");
    assertEquals("/srv/my share", mounts.get(6).root());
    assertEquals("ext4", mounts.get(6).fsType());
  }
}
