package org.virtlxc.driver.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Sends INIT again until libvirtd has recorded the init pid in the domain's status file ({@code <init pid='N'/>}, which
 * libvirtd writes when it handles INIT). libvirtd drops an INIT that arrives before it has installed its handlers on a
 * new monitor connection (see {@link MonitorServer#INIT_SETTLE}); under load that window was seen to outlast the
 * repeat after {@link MonitorServer#INIT_SETTLE} (CI: "Init pid is not yet available" for 20 s). Runs on a daemon
 * thread: every {@code every} it reads the status file and, while the pid is not there, resends; it gives up after
 * {@code giveUpAfter}.
 */
public final class InitRecordWatch {
  private static final Logger LOG = LogManager.getLogger(InitRecordWatch.class);

  private InitRecordWatch() {}

  /** Starts watching {@code statusFile} for {@code initPid}; {@code resend} sends INIT to libvirtd again. */
  public static Thread start(Path statusFile, long initPid, Runnable resend, Duration every, Duration giveUpAfter) {
    Thread t = new Thread(() -> watch(statusFile, initPid, resend, every, giveUpAfter), "init-record-watch");
    t.setDaemon(true);
    t.start();
    return t;
  }

  static void watch(Path statusFile, long initPid, Runnable resend, Duration every, Duration giveUpAfter) {
    long deadline = System.nanoTime() + giveUpAfter.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        Thread.sleep(every.toMillis());
        if (recorded(statusFile, initPid)) {
          return;
        }
        LOG.info("libvirtd has not recorded init pid {} yet: sending INIT again", initPid);
        resend.run();
      }
      LOG.warn("libvirtd did not record init pid {} in {} within {} s", initPid, statusFile, giveUpAfter.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether {@code statusFile} names {@code initPid} as the init pid (an unreadable file: not yet). */
  static boolean recorded(Path statusFile, long initPid) {
    try {
      return Files.readString(statusFile).contains("<init pid='" + initPid + "'/>");
    } catch (IOException e) {
      return false;
    }
  }
}
