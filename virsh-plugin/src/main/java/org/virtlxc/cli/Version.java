package org.virtlxc.cli;

import picocli.CommandLine.IVersionProvider;

/** The version recorded in the jar's manifest by the build, or "development" when run from classes. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = VirtLxc.class.getPackage().getImplementationVersion();
    return new String[] {"virt-lxc " + (v == null ? "development" : v)};
  }
}
