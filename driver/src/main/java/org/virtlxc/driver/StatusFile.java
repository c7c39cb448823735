package org.virtlxc.driver;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.DomainXmlException;
import org.virtlxc.domainxml.model.DomainStatus;

/**
 * libvirtd's status file of the domain ({@code /run/libvirt/lxc/NAME.xml}), read ahead on a thread of its own as soon
 * as main knows the name: main meanwhile initialises Log4j (which the read does not need), so the two overlap. The
 * controller then takes the result from {@link #read}, or waits for it; nothing else changes, errors included.
 * Only main calls this class.
 */
final class StatusFile {
  /** libvirt's {@code LXC_STATE_DIR}, as {@code MonitorServer.STATE_DIR}, named here without initialising that class
   * (and with it Log4j) before the read has begun. */
  static final Path STATE_DIR = Path.of("/run/libvirt/lxc");

  private static Path aheadPath;
  private static FutureTask<DomainStatus> ahead;

  private StatusFile() {}

  /** The status file of domain {@code name} in {@code stateDir}. */
  static Path of(Path stateDir, String name) {
    return stateDir.resolve(name + ".xml");
  }

  /** Starts reading {@code file} on a daemon thread. */
  static void readAhead(Path file) {
    FutureTask<DomainStatus> task = new FutureTask<>(() -> DomainXml.parseStatus(file));
    aheadPath = file;
    ahead = task;
    Thread t = new Thread(task, "status-read");
    t.setDaemon(true);
    t.start();
  }

  /** The status in {@code file}: the read begun by {@link #readAhead} if it was that file, else read now. */
  static DomainStatus read(Path file) throws DomainXmlException {
    FutureTask<DomainStatus> task = ahead;
    if (task == null || !file.equals(aheadPath)) {
      return DomainXml.parseStatus(file);
    }
    ahead = null;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DomainXmlException d) {
        throw d;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
