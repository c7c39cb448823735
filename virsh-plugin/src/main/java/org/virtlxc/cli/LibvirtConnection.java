package org.virtlxc.cli;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/** Opens libvirt connections and looks up domains for the commands, with virsh's error texts. */
final class LibvirtConnection {
  /** virsh's default for the commands of this tool. */
  static final String DEFAULT_URI = "lxc:///";

  private LibvirtConnection() {}

  /**
   * Connects to {@code uri}. libvirt's default error handler, which prints every error to stderr (even a lookup the
   * command expects to fail), is replaced first: the command prints its errors itself, virsh style.
   */
  static Connect open(String uri) throws CommandException {
    try {
      Connect.setErrorCallback((userData, error) -> { });
      return new Connect(uri == null ? DEFAULT_URI : uri);
    } catch (LibvirtException e) {
      throw new CommandException("failed to connect to the hypervisor", message(e));
    }
  }

  static Domain domain(Connect conn, String name) throws CommandException {
    try {
      return conn.domainLookupByName(name);
    } catch (LibvirtException e) {
      throw new CommandException("failed to get domain '" + name + "'", message(e));
    }
  }

  static void close(Connect conn) {
    try {
      conn.close();
    } catch (LibvirtException e) {
      // the command's outcome is already decided
    }
  }

  static String message(LibvirtException e) {
    return e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage() : e.getMessage();
  }
}
