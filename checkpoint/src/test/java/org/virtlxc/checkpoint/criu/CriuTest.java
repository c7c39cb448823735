package org.virtlxc.checkpoint.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriuTest {
  @Test
  void firstErrorSkipsTheProbeErrorsOfEverySuccessfulRunAndDropsPositionAndTime() {
    List<String> log = List.of(
        "(00.000001) Version: 4.1.1",
        "(00.041445) Error (criu/tun.c:85): tun: Unable to create tun: Operation not permitted",
        "(00.110052) Error (criu/util.c:1533): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted",
        "(00.166421)      1: Error (criu/mount-v2.c:319): mnt-v2: Failed to open_tree /srv/x: No such file or directory",
        "(00.167552) Error (criu/cr-restore.c:2320): Restoring FAILED.");
    assertEquals(Optional.of("mnt-v2: Failed to open_tree /srv/x: No such file or directory"), Criu.firstError(log));
  }

  @Test
  void firstErrorIsEmptyWithoutErrorLinesOrLog(@TempDir Path dir) throws Exception {
    assertEquals(Optional.empty(), Criu.firstError(List.of("(00.1) Dumping finished successfully")));
    assertEquals(Optional.empty(), Criu.firstError(dir.resolve("missing.log")));
    Path log = Files.writeString(dir.resolve("dump.log"), "(00.1) a\n(00.2) last words\n\n");
    assertEquals(Optional.of("(00.2) last words"), Criu.lastLine(log));
  }

  @Test
  void commandStartsWithTheBinaryFromTheSystemProperty() {
    String old = System.getProperty("virtlxc.criu");
    try {
      System.setProperty("virtlxc.criu", "/opt/criu/bin/criu");
      assertEquals(List.of("/opt/criu/bin/criu", "check"), Criu.fromSystemProperty().command(List.of("check")));
      System.clearProperty("virtlxc.criu");
      assertEquals(Criu.DEFAULT, Criu.fromSystemProperty().binary());
    } finally {
      if (old != null) {
        System.setProperty("virtlxc.criu", old);
      }
    }
  }

  @Test
  void theInetSocketOptionErrorOfCriu41OnNewKernelsIsExplained() {
    List<String> log = List.of(
        "(00.118198) Error (criu/sockets.c:628): sockets: Can't get 1:16 opt: Operation not supported",
        "(00.118203) Error (criu/sockets.c:628): sockets: Can't get 1:34 opt: Operation not supported",
        "(00.118234) Error (criu/cr-dump.c:1681): Dump files (pid: 104238) failed with -1");
    String error = Criu.firstError(log).orElseThrow();
    assertEquals(Optional.of("this CRIU cannot dump a TCP or UDP socket on Linux 6.16 or later, which refuses"
        + " SO_PASSCRED on them; CRIU 4.2 or later can"), Criu.explain(error));
    assertEquals(Optional.empty(), Criu.explain("mnt-v2: Failed to open_tree /srv/x: No such file or directory"));
  }
}
