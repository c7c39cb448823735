package org.virtlxc.tests;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * At the end of a test run, removes the per-domain files libvirt and libvirt_lxc leave behind for test domains that
 * no longer exist: {@code /var/log/libvirt/lxc/vlxct-*.log} (libvirtd keeps a domain's log after it is undefined) and
 * stock libvirt_lxc's {@code /run/libvirt/lxc/vlxct-*.{dev,devpts,fuse,sock}}. Files of a {@code vlxct-} domain that is
 * still defined (another test run's) are left alone. Registered in {@code META-INF/services}.
 */
public final class LeftoverSweep implements LauncherSessionListener {
  private static final Path LOGS = Path.of("/var/log/libvirt/lxc");
  private static final Path STATE = Path.of("/run/libvirt/lxc");
  private static final Pattern LEFTOVER = Pattern.compile("(vlxct-.+)\\.(log|dev|devpts|fuse|sock)");

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (!Files.isDirectory(LOGS) && !Files.isDirectory(STATE)) {
      return;
    }
    Virsh.Result list = Virsh.run("list", "--all", "--name");
    if (list.status() != 0) {
      return; // no libvirtd to ask which domains exist: remove nothing
    }
    Set<String> defined = Set.copyOf(list.out().lines().map(String::strip).toList());
    int removed = 0;
    for (Path dir : List.of(LOGS, STATE)) {
      removed += sweep(dir, defined);
    }
    if (removed > 0) {
      System.out.println("LeftoverSweep: removed " + removed + " files of test domains that no longer exist");
    }
  }

  private static int sweep(Path dir, Set<String> defined) {
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "vlxct-*")) {
      for (Path p : entries) {
        Matcher m = LEFTOVER.matcher(p.getFileName().toString());
        if (m.matches() && !defined.contains(m.group(1))) {
          try {
            Files.deleteIfExists(p); // a directory only when empty: nothing mounted there
            removed++;
          } catch (IOException e) {
            System.err.println("LeftoverSweep: left " + p + ": " + e);
          }
        }
      }
    } catch (IOException e) {
      System.err.println("LeftoverSweep: unable to list " + dir + ": " + e);
    }
    return removed;
  }
}
