package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workloads of the save/restore and migration matrices ({@link WorkloadMatrixIT}, {@link MigrationMatrixIT}):
 * {@code matrix-workload} ({@code matrix-workload.c} in the test resources: pipes and a socketpair, anonymous memory,
 * a TCP server, an idle process), compiled with {@code gcc -static} into a domain's root at test time, the shell
 * loop that appends to a file it holds open, and the readers of what they write.
 */
final class MatrixWorkload {
  /** Where {@link #install} puts the program inside the root. */
  static final String BINARY = "/bin/matrix-workload";
  /** Shell: opens /tmp/held.log as fd 3 (not O_APPEND); {@link #HELD_WRITE} then writes one line into it. */
  static final String HELD_OPEN = "exec 3>/tmp/held.log";
  /** Shell, after {@link #HELD_OPEN}: writes line {@code $i} ("line 00000001\n", {@link #HELD_LINE} bytes) to fd 3. */
  static final String HELD_WRITE = "printf 'line %08d\\n' $i >&3";
  /** The length of one line of the held file. */
  static final int HELD_LINE = 14;
  private static final Path SOURCE = Path.of("src/test/resources/org/virtlxc/tests/matrix-workload.c");

  private MatrixWorkload() {}

  /** Compiles {@code matrix-workload} into {@code root}{@value #BINARY}. */
  static void install(Path root) throws Exception {
    Path binary = root.resolve(BINARY.substring(1));
    Path source = TestController.BUILD_ROOT.resolve("tests").resolve(SOURCE);
    Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", binary.toString(), source.toString())
        .redirectErrorStream(true).start();
    String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, gcc.waitFor(), "gcc -static " + source + ":\n" + out);
  }

  /** {@code name=NUMBER} from a status file ("pipe=12 ping=12 errors=0"), -1 while it does not exist. */
  static long field(Path status, String name) throws IOException {
    if (!Files.exists(status)) {
      return -1;
    }
    Matcher m = Pattern.compile("\\b" + name + "=(\\d+)").matcher(Files.readString(status));
    assertTrue(m.find(), name + " in " + status);
    return Long.parseLong(m.group(1));
  }

  /** "line 00000001" ... without a hole (NUL bytes) or an overwritten line. */
  static void assertHeldFile(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.ISO_8859_1);
    assertEquals(-1, text.indexOf('\0'), "no hole in " + file);
    assertEquals(0, text.length() % HELD_LINE, "whole lines in " + file + ": " + text.length() + " bytes");
    for (int i = 0; i < text.length() / HELD_LINE; i++) {
      assertEquals(String.format("line %08d\n", i + 1), text.substring(i * HELD_LINE, (i + 1) * HELD_LINE),
          "line " + (i + 1) + " of " + file);
    }
  }
}
