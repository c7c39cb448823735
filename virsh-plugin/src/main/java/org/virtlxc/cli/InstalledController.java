package org.virtlxc.cli;

/** Where virt-lxc's controller is installed: the program a domain's {@code <emulator>} names to run under virt-lxc. */
final class InstalledController {
  /** install-virt-lxc.sh's layout; its launcher passes {@code -Dvirtlxc.controller} when installed under a prefix. */
  static final String DEFAULT_PATH = "/usr/local/lib/virt-lxc/virt-lxc-controller";

  private InstalledController() {}

  static String path() {
    return System.getProperty("virtlxc.controller", DEFAULT_PATH);
  }
}
