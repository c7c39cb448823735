package org.virtlxc.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on the program a domain is about to name as its {@code <emulator>}. */
final class Emulators {
  private Emulators() {}

  /** The absolute path of an existing executable file, or a failure naming the path and what is wrong with it. */
  static String requireExecutable(String path) throws CommandException {
    Path p = Path.of(path);
    if (!p.isAbsolute()) {
      throw new CommandException("emulator " + path + ": not an absolute path", null);
    }
    if (!Files.isRegularFile(p)) {
      throw new CommandException("emulator " + path + ": no such file", null);
    }
    if (!Files.isExecutable(p)) {
      throw new CommandException("emulator " + path + ": not executable", null);
    }
    return path;
  }
}
