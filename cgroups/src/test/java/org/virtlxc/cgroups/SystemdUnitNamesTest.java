package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Unit names exactly as libvirt's virsystemd.c makes them; the cases are libvirt's tests/virsystemdtest.c's. */
class SystemdUnitNamesTest {

  @Test
  void legacyScopeNamesOfLibvirtsTests() {
    assertEquals("machine-lxc\\x2ddemo.scope", SystemdUnitNames.legacyScopeName("demo", "lxc"));
    assertEquals("machine-lxc\\x2ddemo\\x2dname.scope", SystemdUnitNames.legacyScopeName("demo-name", "lxc"));
    assertEquals("machine-lxc\\x2ddemo\\x21name.scope", SystemdUnitNames.legacyScopeName("demo!name", "lxc"));
    assertEquals("machine-lxc\\x2d\\x2edemo.scope", SystemdUnitNames.legacyScopeName(".demo", "lxc"));
    assertEquals("machine-lxc\\x2dbull\\xf0\\x9f\\x92\\xa9.scope",
        SystemdUnitNames.legacyScopeName("bull\uD83D\uDCA9", "lxc"));
  }

  @Test
  void scopeNameOfAMachineName() {
    assertEquals("machine-qemu\\x2d3\\x2ddemo.scope", SystemdUnitNames.scopeName("qemu-3-demo"));
    assertEquals("machine-lxc\\x2d42\\x2dweb.scope", SystemdUnitNames.scopeName(MachineCgroup.machineName(42, "web")));
    assertEquals("machine-lxc\\x2d7\\x2dweb.1.scope", SystemdUnitNames.scopeName(MachineCgroup.machineName(7, "web.1")));
  }

  @Test
  void escapeKeepsOnlyAlphanumericsColonUnderscoreAndInnerDots() {
    assertEquals("a:b_c.d", SystemdUnitNames.escape("a:b_c.d"));
    assertEquals("\\x2ea.b", SystemdUnitNames.escape(".a.b"), "only a leading dot is escaped");
    assertEquals("a-b-c", SystemdUnitNames.escape("a/b/c"), "a slash becomes a dash");
    assertEquals("a\\x5cb", SystemdUnitNames.escape("a\\b"));
    assertEquals("a\\x20b\\x2b", SystemdUnitNames.escape("a b+"));
    assertEquals("caf\\xc3\\xa9", SystemdUnitNames.escape("caf\u00e9"), "non-ASCII: each UTF-8 byte");
    assertEquals("", SystemdUnitNames.escape(""));
  }

  @Test
  void sliceNamesOfPartitions() {
    assertEquals("machine.slice", SystemdUnitNames.sliceName("/machine"));
    assertEquals("machine-foo-bar.slice", SystemdUnitNames.sliceName("/machine/foo/bar"));
    assertEquals("foo-bar.slice", SystemdUnitNames.sliceName("/foo/bar"));
    assertEquals("machine-my\\x2dtenant.slice", SystemdUnitNames.sliceName("/machine/my-tenant"));
    assertEquals("highpriority.slice", SystemdUnitNames.sliceName("highpriority"), "no leading slash: taken as is");
    assertEquals("\\x2ehidden.slice", SystemdUnitNames.sliceName("/.hidden"));
  }
}
