package org.virtlxc.checkpoint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save image is read in place only if libvirtd's mount namespace holds the same file. Here "libvirtd" is this test's
 * own process (same namespace) or a pid file naming nothing; a daemon in another mount namespace is exercised by
 * SaveRestoreCommandIT (an image on a tmpfs mounted after libvirtd started).
 */
class LibvirtdMountViewTest {
  @TempDir Path tmp;

  @Test
  void aProcessInTheSameMountNamespaceSeesTheFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("vlxct-view.save"), "x").toRealPath();
    Path pidFile = Files.writeString(tmp.resolve("daemon.pid"), ProcessHandle.current().pid() + "\n");
    assertTrue(LibvirtdMountView.sees(file, List.of(pidFile)));
    assertFalse(LibvirtdMountView.sees(file.resolveSibling("vlxct-missing.save"), List.of(pidFile)),
        "a file it cannot find");
  }

  @Test
  void withoutADaemonNothingIsRuledOut() throws Exception {
    Path file = Files.writeString(tmp.resolve("vlxct-view.save"), "x").toRealPath();
    Path stale = Files.writeString(tmp.resolve("stale.pid"), "999999999\n");
    assertTrue(LibvirtdMountView.sees(file, List.of(tmp.resolve("none.pid"), stale)));
  }
}
