package org.virtlxc.nssetup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LaunchPlanTest {
  private static LaunchPlan.Builder base() {
    return LaunchPlan.builder().create(Namespace.PID, Namespace.MOUNT, Namespace.UTS).argv("/bin/sh");
  }

  private static void rejects(String fragment, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void buildersRejectBrokenRules() {
    rejects("argv must not be empty", () -> LaunchPlan.builder().build());
    rejects("init (argv[0]) must be an absolute path", () -> LaunchPlan.builder().argv("sh").build());
    rejects("root filesystem source must be an absolute path", () -> base().root("rel/root", false));
    rejects("mount target must be an absolute path", () -> MountSpec.bind("/a", "b", false));
    rejects("bind mount source must be an absolute path", () -> MountSpec.bind("a", "/b", false));
    rejects("set with root()", () -> base().mount(MountSpec.bind("/a", "/", false)));
    rejects("working directory must be an absolute path", () -> base().cwd("tmp"));
    rejects("only net, ipc and uts", () -> base().join(Namespace.PID, 5));
    rejects("both created and joined", () -> base().join(Namespace.UTS, 5).build());
    rejects("need a new mount namespace",
        () -> LaunchPlan.builder().create(Namespace.PID).argv("/bin/sh").mountProc(true).build());
    rejects("needs a new or joined uts namespace",
        () -> LaunchPlan.builder().create(Namespace.MOUNT).argv("/bin/sh").hostname("h").build());
    rejects("needs both uid and gid maps", () -> base().create(Namespace.USER).uidMap(new IdMapping(0, 1000, 1)).build());
    rejects("unknown capability", () -> base().dropCapability("sys_magic"));
    rejects("hostname must be", () -> base().hostname("-bad"));
    rejects("environment name", () -> base().env("A=B", "c"));
    rejects("needs the tmpfs /dev", () -> base().console("/dev/pts/3").build());
    rejects("console tty path must be an absolute path", () -> base().consoles(List.of("/dev/pts/3", "pts/4")));
  }

  @Test
  void planIsImmutableAndCopiesBack() {
    LaunchPlan p = base().env("A", "1").build();
    assertThrows(UnsupportedOperationException.class, () -> p.env().add("B=2"));
    LaunchPlan q = p.newBuilder().env("B", "2").build();
    assertEquals(List.of("A=1"), p.env());
    assertEquals(List.of("A=1", "B=2"), q.env());
  }
}
