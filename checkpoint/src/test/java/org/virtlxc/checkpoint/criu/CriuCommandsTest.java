package org.virtlxc.checkpoint.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriuCommandsTest {
  private final CriuExternals externals = new CriuExternals(new ConsoleTty(0x8804, 0x1a),
      List.of("/dev/console", "/dev/tty1"), List.of("/mnt/share"));

  @Test
  void dumpDeclaresTheConsoleAndEveryHostMountAndLeavesCgroupsAlone() {
    List<String> a = CriuCommands.dump(420, Path.of("/srv/ckpt"), externals, false, List.of());
    assertEquals(List.of("dump", "-t", "420", "-D", "/srv/ckpt", "-o", "dump.log", "-v4"), a.subList(0, 8));
    String line = String.join(" ", a);
    assertTrue(line.contains("--manage-cgroups=ignore --ext-mount-map auto --enable-external-sharing"
        + " --enable-external-masters --tcp-established --file-locks --link-remap"), line);
    assertTrue(line.contains("--external tty[8804:1a] --external mnt[/dev/console]:console0"
        + " --external mnt[/dev/tty1]:console1 --external mnt[/mnt/share]:bind0"), line);
    assertTrue(!line.contains("--leave-running") && !line.contains("--freeze-cgroup"), line);
    assertTrue(String.join(" ", CriuCommands.dump(420, Path.of("/d"), externals, true, List.of("--x")))
        .endsWith("--leave-running --x"));
  }

  @Test
  void restoreMapsTheKeysBackToTheNewConsoleAndTheDomainsSources() {
    List<String> ext = externals.restoreArgs(3, "/dev/pts/9", List.of("/srv/share"));
    List<String> a = CriuCommands.restore(Path.of("/srv/ckpt"), Path.of("/srv/root"), Path.of("/run/x.pid"), ext);
    String line = String.join(" ", a);
    assertTrue(line.startsWith("restore -D /srv/ckpt -o restore.log -v4 --root /srv/root --restore-detached"
        + " --restore-sibling --pidfile /run/x.pid --manage-cgroups=ignore"), line);
    assertTrue(line.endsWith("--inherit-fd fd[3]:tty[8804:1a] --external mnt[console0]:/dev/pts/9"
        + " --external mnt[console1]:/dev/pts/9 --external mnt[bind0]:/srv/share"), line);
  }

  @Test
  void restoreRefusesADomainWithOtherBindMounts() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> externals.restoreArgs(3, "/dev/pts/9", List.of()));
    assertEquals("the image has 1 host bind mounts [/mnt/share], the domain 0", e.getMessage());
  }

  @Test
  void anOwnNetworkNamespaceIsExternalAtDumpAndInheritedAtRestore() {
    CriuExternals withNetns = new CriuExternals(new ConsoleTty(0x8804, 0x1a), List.of("/dev/console"), List.of(),
        new ExternalNetns(4026532301L));
    String dump = String.join(" ", CriuCommands.dump(420, Path.of("/d"), withNetns, false, List.of()));
    assertTrue(dump.endsWith("--external mnt[/dev/console]:console0 --external net[4026532301]:virtlxc-netns"), dump);
    List<String> rst = withNetns.restoreArgs(3, "/dev/pts/9", List.of(), java.util.OptionalInt.of(4));
    assertEquals(List.of("--inherit-fd", "fd[3]:tty[8804:1a]", "--external", "mnt[console0]:/dev/pts/9",
        "--inherit-fd", "fd[4]:virtlxc-netns"), rst);
  }

  @Test
  void restoreRefusesANetworkNamespaceMismatch() {
    CriuExternals withNetns = new CriuExternals(new ConsoleTty(0x8804, 0x1a), List.of(), List.of(),
        new ExternalNetns(4026532301L));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withNetns.restoreArgs(3, "/dev/pts/9", List.of()));
    assertEquals("the checkpoint has its own network namespace, the domain has no <interface> (nor <privnet/>, nor"
        + " <lxc:sharenet>) to restore it with", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> externals.restoreArgs(3, "/dev/pts/9", List.of("/srv/share"), java.util.OptionalInt.of(4)));
    assertEquals("the domain has an <interface> (or <privnet/>, or <lxc:sharenet>), the checkpoint was taken in the"
        + " host's network namespace", e.getMessage());
  }

  @Test
  void extraConsolesAreExternalTtysWithTheirOwnMountsAndComeBackOnTheDomainsOtherConsoles() {
    CriuExternals two = new CriuExternals(new ConsoleTty(0x8804, 0x1a), List.of("/dev/console", "/dev/tty1"),
        List.of(), null, List.of(new ExtraConsole(1, new ConsoleTty(0x8805, 0x1a), List.of("/dev/tty2"))));
    String dump = String.join(" ", CriuCommands.dump(420, Path.of("/d"), two, false, List.of()));
    assertTrue(dump.contains("--external tty[8804:1a] --external tty[8805:1a] --external mnt[/dev/console]:console0"
        + " --external mnt[/dev/tty1]:console1 --external mnt[/dev/tty2]:console1-0"), dump);
    assertEquals(List.of("--inherit-fd", "fd[3]:tty[8804:1a]", "--external", "mnt[console0]:/dev/pts/9",
        "--external", "mnt[console1]:/dev/pts/9", "--inherit-fd", "fd[5]:tty[8805:1a]", "--external",
        "mnt[console1-0]:/dev/pts/10"),
        two.restoreArgs(3, List.of("/dev/pts/9", "/dev/pts/10"), 5, List.of(), java.util.OptionalInt.empty()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> two.restoreArgs(3, List.of("/dev/pts/9"), 5, List.of(), java.util.OptionalInt.empty()));
    assertEquals("the checkpoint has 2 consoles, the domain 1 <console> elements", e.getMessage());
  }
}
