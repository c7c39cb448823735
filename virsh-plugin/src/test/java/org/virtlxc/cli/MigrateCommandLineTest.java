package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Command-line errors of migrate and migration-service, found before libvirt or the network is contacted. */
class MigrateCommandLineTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
  }

  @Test
  void aDestinationUriWithoutAHostIsAUsageError() {
    assertEquals(2, run("migrate", "web", "lxc:///"));
    assertTrue(err.toString().startsWith("invalid DESTURI: destination URI 'lxc:///' names no host"), err.toString());
  }

  @Test
  void aMigrateUriMustBeTcp() {
    assertEquals(2, run("migrate", "web", "lxc+tcp://dst/system", "--migrateuri", "udp://dst:1"));
    assertTrue(err.toString().startsWith("invalid --migrateuri: migration URI 'udp://dst:1' must be tcp://HOST[:PORT]"),
        err.toString());
  }

  @Test
  void theTimeoutMustBePositive() {
    assertEquals(2, run("migrate", "web", "lxc+tcp://dst/system", "--timeout", "0"));
    assertTrue(err.toString().contains("--timeout: must be a positive number of seconds"), err.toString());
  }

  @Test
  void aFullAndAnIncrementalStorageCopyExcludeEachOther() {
    assertEquals(2, run("migrate", "web", "lxc+tcp://dst/system", "--copy-storage-all", "--copy-storage-inc"));
    assertTrue(err.toString().startsWith("--copy-storage-all and --copy-storage-inc are mutually exclusive"),
        err.toString());
  }

  @Test
  void migrateNeedsADestination() {
    assertEquals(2, run("migrate", "web"));
    assertTrue(err.toString().contains("Missing required parameter: 'DESTURI'"), err.toString());
  }

  @Test
  void theServiceRefusesABadListenAddress() {
    assertEquals(2, run("migration-service", "--listen", "udp://x:1"));
    assertTrue(err.toString().startsWith("invalid value for --listen:"), err.toString());
  }

  @Test
  void theServiceNamesAMissingCertificate() {
    assertEquals(1, run("migration-service", "--listen", "127.0.0.1:0", "--pki", "/tmp/vlxct-migrate-no-pki"));
    assertTrue(err.toString().contains("error: Failed to start the migration service")
        && err.toString().contains("/tmp/vlxct-migrate-no-pki/CA/cacert.pem"), err.toString());
  }

  @Test
  void theVerbsAreListed() {
    assertEquals(0, run("help"));
    for (String verb : new String[] {"migrate", "migration-service"}) {
      assertTrue(out.toString().contains("  " + verb + " "), verb + " in\n" + out);
    }
  }
}
