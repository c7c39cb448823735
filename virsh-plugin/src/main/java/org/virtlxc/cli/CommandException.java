package org.virtlxc.cli;

/**
 * A command failed: virsh prints what failed ({@code error: Failed to save domain 'web' to F}) and then why
 * ({@code error: …}); {@link VirtLxc#create} prints both lines and exits with status 1.
 */
final class CommandException extends Exception {
  private final String reason;

  CommandException(String failed, String reason) {
    super(failed);
    this.reason = reason;
  }

  /** Both error lines, virsh style. */
  String lines() {
    return "error: " + getMessage() + (reason == null ? "" : System.lineSeparator() + "error: " + reason);
  }
}
