package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Test;
import org.virtlxc.checkpoint.log.ProcessLogContext;

/** The command's own log lines: {@code virt-lxc: LEVEL: message} on stderr, below the level nothing. */
class CommandLogProviderTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final ProcessLogContext context =
      CommandLogProvider.context(Level.WARN, new PrintStream(bytes, true, StandardCharsets.UTF_8));

  private String written() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void linesHaveTheCommandsPrefixAndTheLevelInLowerCase() {
    Logger log = context.getLogger("org.virtlxc.checkpoint.SaveService");
    log.warn("unable to remove {}: {}", "/tmp/x", "busy");
    log.error("failed");
    assertEquals("virt-lxc: warn: unable to remove /tmp/x: busy\nvirt-lxc: error: failed\n", written());
  }

  @Test
  void belowTheLevelNothingIsWritten() {
    Logger log = context.getLogger("a.B");
    log.info("progress");
    log.debug("detail");
    assertEquals("", written());
    assertTrue(log.isWarnEnabled());
  }

  @Test
  void aThrowableFollowsItsLine() {
    context.getLogger("a.B").warn("cleanup failed", new IllegalStateException("why"));
    assertTrue(written().startsWith("virt-lxc: warn: cleanup failed\njava.lang.IllegalStateException: why\n"),
        written());
  }

  @Test
  void oneLoggerPerName() {
    assertSame(context.getLogger("a.B"), context.getLogger("a.B"));
    assertTrue(context.hasLogger("a.B"));
  }
}
