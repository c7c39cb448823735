package org.virtlxc.cli;

import java.util.concurrent.Callable;
import org.libvirt.Connect;
import org.libvirt.Domain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code virt-lxc adopt DOMAIN [--revert]}: switches an inactive domain's {@code <emulator>} to virt-lxc's controller,
 * recording the previous one in the domain's metadata; {@code --revert} puts exactly that one back (libvirt's default
 * emulator when nothing was recorded).
 */
@Command(name = "adopt", mixinStandardHelpOptions = true,
    description = "Put an existing, inactive domain under virt-lxc's controller (or back, with --revert).")
final class Adopt implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  VirtLxc parent;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name")
  String name;

  @Option(names = "--revert", description = "restore the emulator the domain had before it was adopted")
  boolean revert;

  @Option(names = "--emulator", paramLabel = "PATH",
      description = "controller to name in <emulator> (default: ${DEFAULT-VALUE})")
  String emulator = InstalledController.path();

  @Override
  public Integer call() throws CommandException {
    Connect conn = LibvirtConnection.open(parent.uri);
    try {
      Domain domain = LibvirtConnection.domain(conn, name);
      if (LibvirtConnection.isActive(domain, name)) {
        throw new CommandException("Domain '" + name + "' is running: " + (revert ? "virt-lxc adopt --revert" : "virt-lxc adopt")
            + " changes inactive domains only; stop it first (virsh -c " + parent.uri + " shutdown|destroy " + name + ")",
            null);
      }
      EmulatorSwitch doc = EmulatorSwitch.of(LibvirtConnection.inactiveXml(domain, name));
      String current = doc.emulator().orElse("");
      String what = "domain '" + name + "'";
      String message;
      if (revert) {
        String previous = doc.recordedEmulator().isPresent() ? doc.recordedEmulator().get()
            : LibvirtConnection.defaultEmulator(conn);
        if (previous.equals(current) && doc.recordedEmulator().isEmpty()) {
          message = "Domain '" + name + "' already uses emulator " + current;
        } else {
          LibvirtConnection.define(conn, doc.setEmulator(previous).forget().xml(), what);
          message = "Domain '" + name + "' reverted to emulator " + previous;
        }
      } else {
        Emulators.requireExecutable(emulator);
        if (emulator.equals(current)) {
          message = "Domain '" + name + "' already uses virt-lxc's controller " + emulator;
        } else {
          String previous = doc.recordedEmulator().isPresent() ? doc.recordedEmulator().get()
              : current.isEmpty() ? LibvirtConnection.defaultEmulator(conn) : current;
          LibvirtConnection.define(conn, doc.record(previous).setEmulator(emulator).xml(), what);
          message = "Domain '" + name + "' adopted by virt-lxc's controller " + emulator + " (was " + previous + ")";
        }
      }
      spec.commandLine().getOut().println(message);
      spec.commandLine().getOut().flush();
      return 0;
    } finally {
      LibvirtConnection.close(conn);
    }
  }
}
