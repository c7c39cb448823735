package org.virtlxc.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every migration test runs on: two simulated hosts ({@link TwoHosts}), certificates for both
 * ({@link MigrationPki}) and this build's migration service listening on each ({@link MigrationServices}). Closing it
 * ends the services, then the hosts.
 *
 * @param hosts    the two hosts
 * @param pki      the certificates' root, for {@code virt-lxc migrate --pki}
 * @param services the services
 */
record MigrationHosts(TwoHosts hosts, Path pki, MigrationServices services) implements AutoCloseable {
  /** Hosts named {@code prefix…}, their certificates and services; what was started is ended if a step fails. */
  static MigrationHosts start(String prefix) throws Exception {
    TestHost.require(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")), "cgroup v1 hierarchies");
    TwoHosts hosts = TwoHosts.start(prefix);
    try {
      Path pki = MigrationPki.create(hosts.shared().resolve("pki"), List.of(hosts.a().address(),
          hosts.b().address()));
      return new MigrationHosts(hosts, pki, MigrationServices.start(hosts, pki));
    } catch (Exception | AssertionError e) {
      hosts.close();
      throw e;
    }
  }

  /** Destroys and undefines domain {@code name} on both hosts, wherever it is. */
  void removeEverywhere(String name) {
    for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
      h.virsh("destroy", name);
      h.virsh("undefine", name);
    }
  }

  /**
   * The migration hosts of one test class, as a JUnit extension: {@code @RegisterExtension static final
   * MigrationHosts.PerClass hosts = new MigrationHosts.PerClass(PREFIX);} starts them before the class's first test
   * and closes them after its last; in between it answers for the {@link TwoHosts} and the certificates.
   */
  static final class PerClass implements BeforeAllCallback, AfterAllCallback {
    private final String prefix;
    private MigrationHosts started;

    PerClass(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
      started = MigrationHosts.start(prefix);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
      if (started != null) {
        started.close();
        started = null;
      }
    }

    TwoHosts twoHosts() {
      return started.hosts();
    }

    SimulatedHost a() {
      return started.hosts().a();
    }

    SimulatedHost b() {
      return started.hosts().b();
    }

    /** {@link TwoHosts#shared()}. */
    Path shared() {
      return started.hosts().shared();
    }

    /** {@link TwoHosts#controller()}. */
    Path controller() {
      return started.hosts().controller();
    }

    /** {@link TwoHosts#virtLxc()}. */
    Path virtLxc() {
      return started.hosts().virtLxc();
    }

    /** The certificates' root, for {@code virt-lxc migrate --pki}. */
    Path pki() {
      return started.pki();
    }

    void removeEverywhere(String name) {
      started.removeEverywhere(name);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      services.close();
    } finally {
      hosts.close();
    }
  }
}
