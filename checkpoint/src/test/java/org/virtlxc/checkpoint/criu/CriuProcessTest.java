package org.virtlxc.checkpoint.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stand-in CRIU (a shell script) that logs, fails, dies or hangs the ways the real one does. */
class CriuProcessTest {
  @TempDir
  Path dir;

  private Optional<String> run(String script, Duration timeout) throws Exception {
    return CriuProcess.run(List.of("/bin/sh", "-c", script), Map.of("LOG", dir.resolve("x.log").toString()),
        dir.resolve("x.log"), dir.resolve("x.out"), timeout);
  }

  @Test
  void successIsNoFailure() throws Exception {
    assertEquals(Optional.empty(), run("echo '(00.1) Error (criu/tun.c:85): tun: probe' > $LOG", Duration.ofSeconds(5)));
  }

  @Test
  void aFailureNamesCriusFirstErrorAndTheLog() throws Exception {
    assertEquals(Optional.of("CRIU: mnt: Can't mount /x: No such file or directory (log " + dir.resolve("x.log") + ")"),
        run("printf '(00.1) Error (criu/util.c:1533): rlimit: Can'\\''t setup RLIMIT_NOFILE for self\\n"
            + "(00.2) Error (criu/mount.c:9): mnt: Can'\\''t mount /x: No such file or directory\\n' > $LOG; exit 1",
            Duration.ofSeconds(5)));
  }

  @Test
  void aKilledCriuIsSaidToBeKilledWithTheLastLogLine() throws Exception {
    assertEquals(Optional.of("CRIU was killed by signal 9; last log line: (00.3) seizing 42 (log "
        + dir.resolve("x.log") + ")"), run("echo '(00.3) seizing 42' > $LOG; kill -9 $$", Duration.ofSeconds(5)));
  }

  @Test
  void anExitWithoutLogShowsTheOutput() throws Exception {
    assertEquals(Optional.of("CRIU exited with status 1: Unknown option --bogus (log " + dir.resolve("x.log") + ")"),
        run("echo 'Unknown option --bogus' >&2; exit 1", Duration.ofSeconds(5)));
  }

  @Test
  void aHungCriuIsKilledAfterTheTimeout() throws Exception {
    assertEquals(Optional.of("CRIU did not finish within 0 s and was killed (log " + dir.resolve("x.log") + ")"),
        run("exec sleep 30", Duration.ofMillis(300)));
  }
}
