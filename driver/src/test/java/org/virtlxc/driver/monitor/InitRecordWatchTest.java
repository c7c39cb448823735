package org.virtlxc.driver.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** INIT is sent again until libvirtd's status file names the init pid. */
class InitRecordWatchTest {
  @TempDir
  Path tmp;

  @Test
  void resendsUntilTheStatusFileNamesTheInitPid() throws Exception {
    Path status = tmp.resolve("vlxct-dom.xml");
    Files.writeString(status, "<domstatus state='running' pid='10'>\n  <init pid='7'/>\n</domstatus>\n"); // a stale run
    AtomicInteger resent = new AtomicInteger();
    Runnable resend = () -> {
      if (resent.incrementAndGet() == 3) {
        try {
          Files.writeString(status, "<domstatus state='running' pid='10'>\n  <init pid='42'/>\n</domstatus>\n");
        } catch (java.io.IOException e) {
          throw new AssertionError(e);
        }
      }
    };
    Thread t = InitRecordWatch.start(status, 42, resend, Duration.ofMillis(20), Duration.ofSeconds(30));
    t.join(10_000);
    assertFalse(t.isAlive(), "stops once recorded");
    assertEquals(3, resent.get(), "sent again until libvirtd recorded it");
  }

  @Test
  void givesUpAfterItsTime() throws Exception {
    AtomicInteger resent = new AtomicInteger();
    Thread t = InitRecordWatch.start(tmp.resolve("missing.xml"), 42, resent::incrementAndGet, Duration.ofMillis(20),
        Duration.ofMillis(200));
    t.join(10_000);
    assertFalse(t.isAlive());
    assertTrue(resent.get() >= 1 && resent.get() <= 10, "a few resends, then it gave up: " + resent.get());
  }

  @Test
  void recordedMeansThisPid() throws Exception {
    Path status = Files.writeString(tmp.resolve("s.xml"), "<init pid='421'/>");
    assertFalse(InitRecordWatch.recorded(status, 42));
    assertTrue(InitRecordWatch.recorded(status, 421));
  }
}
