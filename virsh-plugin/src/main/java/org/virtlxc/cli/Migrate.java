package org.virtlxc.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.libvirt.Connect;
import org.virtlxc.api.Migrations;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.migrate.CipherWarmUp;
import org.virtlxc.checkpoint.migrate.MigrationAddress;
import org.virtlxc.checkpoint.migrate.MigrationOptions;
import org.virtlxc.checkpoint.migrate.StorageCopy;
import org.virtlxc.checkpoint.migrate.TlsFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code virt-lxc migrate DOMAIN DESTURI}: virsh's {@code migrate} for LXC domains under virt-lxc's controller. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Migrate a running domain to another host running 'virt-lxc migration-service'.",
        "Stop-and-copy: the domain's processes stop, are dumped, streamed over TLS and restored there; they end here "
            + "only once the domain runs there, and run on here if anything fails before. The root filesystem must be "
            + "on shared storage (the same path on both hosts), or copied with --copy-storage-all|--copy-storage-inc "
            + "(while the domain runs, then what changed once it is stopped).",
        "--postcopy: the domain resumes there before its memory, which follows on demand and in the background "
            + "(CRIU lazy pages); a failure before it resumes loses nothing, a broken memory transfer after that "
            + "cannot be undone.",
        "The service's address is DESTURI's host, port " + MigrationAddress.DEFAULT_PORT + ", unless --migrateuri "
            + "names another. Certificates (libvirt's): PKI/CA/cacert.pem, PKI/libvirt/clientcert.pem, "
            + "PKI/libvirt/private/clientkey.pem (the destination: servercert.pem, serverkey.pem)."})
final class Migrate implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  VirtLxc parent;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name")
  String domain;

  @Parameters(index = "1", paramLabel = "DESTURI", description = "the destination's libvirt URI, e.g. lxc+tcp://HOST/system")
  String destUri;

  @Option(names = "--migrateuri", paramLabel = "tcp://HOST[:PORT]", description = "the destination's migration service")
  String migrateUri;

  @Option(names = "--live", description = "pre-copy while the domain runs (needs soft-dirty memory tracking)")
  boolean live;

  @Option(names = "--postcopy", description = "post-copy: the domain resumes on the destination before its memory"
      + " is there (CRIU lazy pages); a broken transfer after that cannot be undone")
  boolean postcopy;

  @Option(names = "--persistent", description = "define the domain on the destination")
  boolean persistent;

  @Option(names = "--undefinesource", description = "undefine the domain here once it runs there")
  boolean undefineSource;

  @Option(names = "--compress", description = "compress the image in transit (zstd)")
  boolean compress;

  @Option(names = "--verbose", description = "display the progress of migration")
  boolean verbose;

  @Option(names = "--timeout", paramLabel = "SECONDS",
      description = "abort the migration (the domain keeps running here) if it has not finished after SECONDS")
  Long timeoutSeconds;

  @Option(names = "--copy-storage-all",
      description = "copy the domain's writable filesystems (root included) into new directories at the same paths there")
  boolean copyStorageAll;

  @Option(names = "--copy-storage-inc",
      description = "copy the domain's writable filesystems, sending only what differs from the copy already there")
  boolean copyStorageInc;

  @Option(names = "--pki", paramLabel = "DIR", description = "root of the certificate files (default: /etc/pki)")
  Path pki;

  @Override
  public Integer call() throws Exception {
    if (timeoutSeconds != null && timeoutSeconds <= 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "invalid value for --timeout: must be a positive number of seconds, not " + timeoutSeconds);
    }
    if (copyStorageAll && copyStorageInc) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--copy-storage-all and --copy-storage-inc are mutually exclusive");
    }
    try {
      if (migrateUri != null) {
        MigrationAddress.fromMigrateUri(migrateUri);
      } else {
        MigrationAddress.fromLibvirtUri(destUri);
      }
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "invalid "
          + (migrateUri != null ? "--migrateuri" : "DESTURI") + ": " + e.getMessage());
    }
    MigrationOptions options = MigrationOptions.defaults().withLive(live).withPostcopy(postcopy)
        .withPersistent(persistent).withUndefineSource(undefineSource)
        .withCompression(compress ? Compression.ZSTD : Compression.NONE)
        .withTimeout(timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds))
        .withListener(ProgressPrinter.of(verbose, spec.commandLine().getErr(), "Migration"))
        .withCopyStorage(copyStorageAll ? StorageCopy.ALL : copyStorageInc ? StorageCopy.INCREMENTAL : StorageCopy.NONE);
    CipherWarmUp.start(); // compiles the TLS cipher while libvirt and the destination are reached
    Connect conn = LibvirtConnection.open(parent.uri);
    try {
      var dom = LibvirtConnection.domain(conn, domain);
      Migrations.create(pki != null ? pki : TlsFiles.pkiRoot()).migrate(dom, destUri, migrateUri, options);
    } catch (CheckpointException e) {
      throw new CommandException("Failed to migrate domain '" + domain + "' to " + destUri, e.getMessage());
    } finally {
      LibvirtConnection.close(conn);
    }
    return 0;
  }
}
