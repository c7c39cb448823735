package org.virtlxc.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.SaveResult;
import org.virtlxc.checkpoint.SaveService;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.migrate.MigrationAddress;
import org.virtlxc.checkpoint.migrate.MigrationOptions;
import org.virtlxc.checkpoint.migrate.MigrationService;
import org.virtlxc.checkpoint.migrate.MigrationTls;
import org.virtlxc.checkpoint.migrate.OutgoingMigration;
import org.virtlxc.checkpoint.migrate.TlsFiles;

/**
 * Migration of LXC domains under virt-lxc's controller for libvirt-java clients: what {@code virsh migrate} does for
 * QEMU domains. The destination host runs virt-lxc's migration service ({@link #serve}, or {@code virt-lxc
 * migration-service}); the two hosts authenticate each other with TLS certificates signed by one CA, in libvirt's
 * places ({@code /etc/pki/CA/cacert.pem}; the source's {@code /etc/pki/libvirt/clientcert.pem} and
 * {@code private/clientkey.pem}; the destination's {@code servercert.pem} and {@code private/serverkey.pem}).
 *
 * <pre>{@code
 * Connect conn = new Connect("lxc:///");
 * Domain web = conn.domainLookupByName("web");
 * Migrations.create().migrate(web, "lxc+tcp://dst.example/system", null,
 *     MigrationOptions.defaults().withPersistent(true).withUndefineSource(true));   // web now runs on dst.example
 * }</pre>
 *
 * <p>The migration is stop-and-copy: the domain's processes stop, CRIU dumps them, the image streams to the
 * destination, which restores the domain through its libvirtd; the processes here end only once the domain runs there,
 * and run on here if anything fails before. The root filesystem must be on shared storage (same path on both hosts).
 * While it runs, {@code virt-lxc domjobinfo DOMAIN} shows it ("Outgoing migration") and {@code domjobabort} stops it.
 */
public final class Migrations {
  private static final Logger LOG = LogManager.getLogger(Migrations.class);
  /** virDomainXMLFlags: VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE. */
  private static final int INACTIVE_XML = 1 | 2;

  private final OutgoingMigration outgoing;

  public Migrations(OutgoingMigration outgoing) {
    this.outgoing = Objects.requireNonNull(outgoing, "outgoing");
  }

  /** With the client certificate files under {@code pki} (libvirt's layout; normally {@code /etc/pki}). */
  public static Migrations create(java.nio.file.Path pki) throws CheckpointException {
    return new Migrations(new OutgoingMigration(SaveService.create(), loadTls(TlsFiles.client(pki)),
        Criu.fromSystemProperty(), OutgoingMigration.WORK_DIR));
  }

  /** With libvirt's client certificate files ({@link TlsFiles#client()}). */
  public static Migrations create() throws CheckpointException {
    return create(TlsFiles.pkiRoot());
  }

  /**
   * Migrates the running {@code domain} to the host of {@code destUri} (its libvirt URI, e.g.
   * {@code lxc+tcp://HOST/system}; the service's port is {@value MigrationAddress#DEFAULT_PORT}) or, if not null, to
   * {@code migrateUri} ({@code tcp://HOST[:PORT]}). Returns once the domain runs there; it is then shut off here (and
   * undefined with {@link MigrationOptions#undefineSource()}).
   */
  public SaveResult migrate(Domain domain, String destUri, String migrateUri, MigrationOptions options)
      throws CheckpointException {
    String name = nameOf(domain);
    MigrationAddress to;
    try {
      to = migrateUri != null ? MigrationAddress.fromMigrateUri(migrateUri) : MigrationAddress.fromLibvirtUri(destUri);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException("unable to migrate domain " + name + ": " + e.getMessage(), e);
    }
    String xml;
    boolean persistent;
    try {
      if (domain.isActive() != 1) {
        throw new CheckpointException("unable to migrate domain " + name + ": it is not running");
      }
      xml = domain.getXMLDesc(INACTIVE_XML);
      persistent = domain.isPersistent() == 1;
    } catch (LibvirtException e) {
      throw new CheckpointException("unable to migrate domain " + name + ": " + Checkpoints.libvirtMessage(e), e);
    }
    SaveResult r = outgoing.migrate(name, xml, to, options);
    if (options.undefineSource() && persistent) {
      try {
        domain.undefine();
      } catch (LibvirtException e) {
        throw new CheckpointException("domain " + name + " was migrated to " + to + ", but could not be undefined"
            + " here: " + Checkpoints.libvirtMessage(e), e);
      }
    }
    LOG.info("domain {} migrated to {}", name, to);
    return r;
  }

  /** {@link #migrate(Domain, String, String, MigrationOptions)} of the domain named {@code name} on {@code conn}. */
  public SaveResult migrate(Connect conn, String name, String destUri, String migrateUri, MigrationOptions options)
      throws CheckpointException {
    try {
      return migrate(conn.domainLookupByName(name), destUri, migrateUri, options);
    } catch (LibvirtException e) {
      throw new CheckpointException(Checkpoints.libvirtMessage(e), e);
    }
  }

  /**
   * Runs the migration service of this host: listens on {@code listen} with the server certificate files under
   * {@code pki} and restores incoming domains through the libvirtd at {@code libvirtUri}. Close it to stop.
   */
  public static MigrationService serve(String libvirtUri, MigrationAddress listen, java.nio.file.Path pki)
      throws CheckpointException {
    MigrationTls tls = loadTls(TlsFiles.server(pki));
    try {
      return MigrationService.start(tls, new InetSocketAddress(listen.host(), listen.port()),
          new LibvirtMigrationTarget(libvirtUri), SaveService.create(), Criu.fromSystemProperty());
    } catch (IOException e) {
      throw new CheckpointException("unable to start the migration service: " + e.getMessage(), e);
    }
  }

  private static MigrationTls loadTls(TlsFiles files) throws CheckpointException {
    try {
      return MigrationTls.load(files);
    } catch (IOException e) {
      throw new CheckpointException(e.getMessage(), e);
    }
  }

  private static String nameOf(Domain domain) throws CheckpointException {
    try {
      return domain.getName();
    } catch (LibvirtException e) {
      throw new CheckpointException(Checkpoints.libvirtMessage(e), e);
    }
  }
}
