package org.virtlxc.cli;

/** A failed command: its message is the one {@code error: …} line virt-lxc prints before exiting with status 1. */
final class CliFailure extends RuntimeException {
  CliFailure(String message) {
    super(message);
  }

  CliFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
