package org.virtlxc.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code virt-lxc migration-service} (this build's) running inside both hosts of a {@link TwoHosts}, listening on each
 * host's address with the certificates of {@code pki} ({@link MigrationPki}); its output in
 * {@code shared/service-HOST.log}. Closing it ends both services (SIGTERM, then SIGKILL after 10 s).
 */
public final class MigrationServices implements AutoCloseable {
  private final List<Process> services = new ArrayList<>();

  private MigrationServices() {}

  /** Starts a service on each host and waits until both listen; ends those started if one does not. */
  public static MigrationServices start(TwoHosts hosts, Path pki) throws Exception {
    MigrationServices s = new MigrationServices();
    try {
      for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
        Path log = hosts.shared().resolve("service-" + h.name() + ".log");
        Process p = h.command(hosts.virtLxc().toString(), "migration-service", "--listen", h.address(), "--pki",
            pki.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        s.services.add(p);
        awaitListening(p, log, h.name());
      }
      return s;
    } catch (Exception | AssertionError e) {
      s.close();
      throw e;
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : services) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static void awaitListening(Process p, Path log, String host) throws IOException, InterruptedException {
    for (int i = 0; i < 300; i++) {
      if (Files.exists(log) && Files.readString(log).contains("Migration service listening on")) {
        return;
      }
      if (!p.isAlive()) {
        throw new AssertionError("the migration service on " + host + " ended: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the migration service on " + host + " did not listen within 30 s: "
        + Files.readString(log));
  }
}
