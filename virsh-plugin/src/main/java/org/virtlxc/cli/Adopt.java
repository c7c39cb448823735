package org.virtlxc.cli;

import java.util.concurrent.Callable;
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
  public Integer call() {
    try (Libvirt libvirt = Libvirt.open(parent.uri)) {
      Domain domain = libvirt.lookup(name);
      if (libvirt.isActive(domain, name)) {
        throw new CliFailure("Domain '" + name + "' is running: " + (revert ? "virt-lxc adopt --revert" : "virt-lxc adopt")
            + " changes inactive domains only; stop it first (virsh -c " + parent.uri + " shutdown|destroy " + name + ")");
      }
      EmulatorSwitch doc = EmulatorSwitch.of(libvirt.inactiveXml(domain, name));
      String current = doc.emulator().orElse("");
      String message;
      if (revert) {
        String previous = doc.recordedEmulator().orElseGet(libvirt::defaultEmulator);
        if (previous.equals(current) && doc.recordedEmulator().isEmpty()) {
          message = "Domain '" + name + "' already uses emulator " + current;
        } else {
          libvirt.define(doc.setEmulator(previous).forget().xml(), "domain '" + name + "'");
          message = "Domain '" + name + "' reverted to emulator " + previous;
        }
      } else {
        Emulators.requireExecutable(emulator);
        if (emulator.equals(current)) {
          message = "Domain '" + name + "' already uses virt-lxc's controller " + emulator;
        } else {
          String previous = doc.recordedEmulator().orElse(current.isEmpty() ? libvirt.defaultEmulator() : current);
          libvirt.define(doc.record(previous).setEmulator(emulator).xml(), "domain '" + name + "'");
          message = "Domain '" + name + "' adopted by virt-lxc's controller " + emulator + " (was " + previous + ")";
        }
      }
      spec.commandLine().getOut().println(message);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
