package org.virtlxc.checkpoint.migrate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The warm-up really runs the cipher, at most its byte budget, and stops by itself on a daemon thread. */
class CipherWarmUpTest {
  @Test
  void encryptsRecordsAndEndsByItself() throws Exception {
    long bytes = CipherWarmUp.run();
    assertTrue(bytes >= 16384 && bytes <= CipherWarmUp.BYTES, bytes + " bytes");

    Thread t = CipherWarmUp.start();
    assertTrue(t.isDaemon(), "never keeps the command alive");
    t.join(CipherWarmUp.BUDGET.toMillis() + 5000);
    assertFalse(t.isAlive(), "ended by itself");
  }
}
