package org.virtlxc.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.Filesystem;

/**
 * Checks, before anything is created, that every {@code <filesystem type='mount'|'bind'>} source exists as the
 * controller sees the host, so that a wrong path fails the start with a line naming the element instead of the
 * native helper's mount error.
 */
final class FilesystemSources {
  private FilesystemSources() {}

  /** The first missing source as one line ("unable to mount / of domain N: <filesystem> source dir 'X' ..."). */
  static String firstMissing(Domain domain) {
    if (domain.devices() == null) {
      return null;
    }
    for (Filesystem fs : domain.devices().filesystems()) {
      String type = fs.type() == null ? "mount" : fs.type();
      String source = fs.source() == null ? null : fs.source().dir();
      String target = fs.target() == null ? null : fs.target().dir();
      if ((type.equals("mount") || type.equals("bind")) && source != null && target != null
          && !Files.exists(Path.of(source))) {
        return "unable to mount " + target + " of domain " + domain.name() + ": <filesystem type='" + type
            + "'> <source dir='" + source + "'> does not exist";
      }
    }
    return null;
  }
}
