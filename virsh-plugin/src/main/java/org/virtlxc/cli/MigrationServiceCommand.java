package org.virtlxc.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.virtlxc.api.Migrations;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.migrate.MigrationAddress;
import org.virtlxc.checkpoint.migrate.MigrationService;
import org.virtlxc.checkpoint.migrate.TlsFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code virt-lxc migration-service}: accepts incoming migrations on this host (in the foreground, until killed) and
 * restores them through the libvirtd of {@code -c URI}.
 */
@Command(name = "migration-service", mixinStandardHelpOptions = true,
    description = {"Accept incoming migrations of LXC domains (runs in the foreground until stopped).",
        "Listens on ADDR:PORT (default: all addresses, port " + MigrationAddress.DEFAULT_PORT + ") with TLS: "
            + "PKI/CA/cacert.pem, PKI/libvirt/servercert.pem, PKI/libvirt/private/serverkey.pem; sources must "
            + "present a client certificate signed by that CA."})
final class MigrationServiceCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  VirtLxc parent;

  @Option(names = "--listen", paramLabel = "ADDR[:PORT]", description = "where to listen (default 0.0.0.0:"
      + MigrationAddress.DEFAULT_PORT + "; PORT alone, or 0 for any free port)")
  String listen;

  @Option(names = "--pki", paramLabel = "DIR", description = "root of the certificate files (default: /etc/pki)")
  Path pki;

  @Override
  public Integer call() throws Exception {
    MigrationAddress address;
    try {
      address = MigrationAddress.fromListen(listen);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "invalid value for --listen: "
          + e.getMessage());
    }
    MigrationService service;
    try {
      service = Migrations.serve(parent.uri, address, pki != null ? pki : TlsFiles.pkiRoot());
    } catch (CheckpointException e) {
      throw new CommandException("Failed to start the migration service", e.getMessage());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    spec.commandLine().getOut().println("Migration service listening on " + address.host() + ":" + service.port());
    spec.commandLine().getOut().flush();
    service.awaitClose();
    return 0;
  }
}
