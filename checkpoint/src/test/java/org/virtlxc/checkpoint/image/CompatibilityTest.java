package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompatibilityTest {
  private static final List<String> FLAGS = List.of("fpu", "fxsr", "sse", "sse2", "xsave", "xsaves", "avx", "avx2",
      "avx512f", "sha_ni", "hypervisor", "fsrm", "constant_tsc");
  private static final HostFacts DUMPED = new HostFacts("6.18.44", "x86_64", FLAGS, "4.1.1");

  private static HostFacts host(String kernel, String arch, List<String> flags, String criu) {
    return new HostFacts(kernel, arch, flags, criu);
  }

  private static List<String> without(String... drop) {
    List<String> f = new ArrayList<>(FLAGS);
    f.removeAll(List.of(drop));
    return f;
  }

  private static CompatibilityReport check(HostFacts here) throws SaveImageException {
    return Compatibility.check(HostFactsTest.manifestFrom(DUMPED), here);
  }

  @Test
  void theSameHostIsCompatible() throws SaveImageException {
    CompatibilityReport r = check(DUMPED);
    assertTrue(r.compatible(), r.toString());
    assertEquals(List.of(), r.warnings());
  }

  @Test
  void anotherArchitectureIsRefused() throws SaveImageException {
    CompatibilityReport r = check(host("6.18.44", "aarch64", List.of("fp", "asimd"), "4.1.1"));
    assertEquals(List.of("it was dumped on a x86_64 host, this host is aarch64"), r.problems());
  }

  @Test
  void missingInstructionFlagsAreRefusedByName() throws SaveImageException {
    CompatibilityReport r = check(host("6.18.44", "x86_64", without("sha_ni", "avx2"), "4.1.1"));
    assertEquals(1, r.problems().size(), r.toString());
    assertTrue(r.problems().get(0).startsWith("this host's CPU lacks avx2 sha_ni, which the dump host had"),
        r.problems().get(0));
    SaveImageException e = assertThrows(SaveImageException.class, () -> r.requireCompatible("F"));
    assertEquals(SaveImageException.Code.INCOMPATIBLE, e.code());
    assertTrue(e.getMessage().startsWith("save image F cannot be restored on this host: this host's CPU lacks avx2"));
  }

  @Test
  void flagsCriuDoesNotCheckOnlyWarn() throws SaveImageException {
    CompatibilityReport r = check(host("6.18.44", "x86_64", without("fsrm", "hypervisor"), "4.1.1"));
    assertTrue(r.compatible(), r.toString());
    assertEquals(1, r.warnings().size());
    assertTrue(r.warnings().get(0).startsWith("this host's CPU lacks fsrm hypervisor (not checked by CRIU"));
  }

  @Test
  void xsaveFeaturesMustBeEqualEvenWhenTheNewHostHasMore() throws SaveImageException {
    List<String> more = new ArrayList<>(FLAGS);
    more.add("pku");
    CompatibilityReport r = check(host("6.18.44", "x86_64", more, "4.1.1"));
    assertEquals(1, r.problems().size(), r.toString());
    assertTrue(r.problems().get(0).startsWith("the XSAVE features differ (dump host: avx avx512f; this host: avx"
        + " avx512f pku)"), r.problems().get(0));
  }

  @Test
  void anOlderCriuIsRefusedANewerOneIsFine() throws SaveImageException {
    assertEquals(List.of("it was dumped by CRIU 4.1.1, this host has the older CRIU 4.1.0"),
        check(host("6.18.44", "x86_64", FLAGS, "4.1")).problems());
    assertTrue(check(host("6.18.44", "x86_64", FLAGS, "4.2")).compatible());
  }

  @Test
  void anOlderKernelWarns() throws SaveImageException {
    CompatibilityReport r = check(host("6.1.0-26-amd64", "x86_64", FLAGS, "4.1.1"));
    assertTrue(r.compatible());
    assertEquals(1, r.warnings().size());
    assertTrue(r.warnings().get(0).startsWith("this host's kernel 6.1.0-26-amd64 is older than the dump host's 6.18.44"));
  }
}
