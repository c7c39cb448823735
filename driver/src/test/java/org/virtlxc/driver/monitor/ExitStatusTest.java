package org.virtlxc.driver.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The EXIT status the controller reports for each way init can end, and the wire values. */
class ExitStatusTest {
  private static final int SIGHUP = 1;
  private static final int SIGINT = 2;
  private static final int SIGKILL = 9;
  private static final int SIGTERM = 15;

  @Test
  void onlyDeathBySighupIsAReboot() {
    assertEquals(ExitStatus.REBOOT, ExitStatus.ofInitEnd(SIGHUP), "reboot(RB_AUTOBOOT) in the pid namespace");
    assertEquals(ExitStatus.SHUTDOWN, ExitStatus.ofInitEnd(0), "init exited (any exit code)");
    assertEquals(ExitStatus.SHUTDOWN, ExitStatus.ofInitEnd(SIGINT), "reboot(RB_POWER_OFF or RB_HALT_SYSTEM)");
    assertEquals(ExitStatus.SHUTDOWN, ExitStatus.ofInitEnd(SIGKILL));
    assertEquals(ExitStatus.SHUTDOWN, ExitStatus.ofInitEnd(SIGTERM));
  }

  @Test
  void wireValuesAreLibvirts() throws Exception {
    assertEquals(0, ExitStatus.ERROR.wire());
    assertEquals(1, ExitStatus.SHUTDOWN.wire());
    assertEquals(2, ExitStatus.REBOOT.wire());
    assertEquals(ExitStatus.REBOOT, ExitStatus.fromWire(2));
    assertThrows(MonitorProtocolException.class, () -> ExitStatus.fromWire(3));
  }
}
