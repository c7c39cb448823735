package org.virtlxc.domainxml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparator the round-trip and libvirt tests rely on must really see differences. */
class XmlSemanticsTest {
  private static final String A = "<d t='1'><a x='1'/><b>2</b><a x='2'/><m unit='KiB'>1</m></d>";

  @Test
  void formattingAndOrderAcrossNamesDoNotCount() {
    assertEquals(List.of(), XmlSemantics.exact().differences(A,
        "<d t=\"1\">\n  <b> 2 </b>\n  <a x='1'/>\n  <a x='2'/>\n  <m unit='KiB'>1</m>\n</d>"));
  }

  @Test
  void orderAmongSameNamedChildrenCounts() {
    assertEquals(List.of("/d/a[1]/@x: expected '1', got '2'", "/d/a[2]/@x: expected '2', got '1'"),
        XmlSemantics.exact().differences(A, A.replace("x='1'", "x='9'").replace("x='2'", "x='1'")
            .replace("x='9'", "x='2'")));
  }

  @Test
  void changedTextMissingAndExtraThingsAreReported() {
    assertEquals(List.of("/d/b: expected text '2', got '3'"), XmlSemantics.exact().differences(A, A.replace(">2<", ">3<")));
    assertEquals(List.of("/d/b: expected 1 element(s), got 0"), XmlSemantics.exact().differences(A,
        A.replace("<b>2</b>", "")));
    assertEquals(List.of("/d/@y: unexpected attribute '0'", "/d/c: unexpected element"),
        XmlSemantics.exact().differences(A, A.replace("t='1'>", "t='1' y='0'><c/>")));
  }

  @Test
  void subsetAllowsWhatLibvirtAdds() {
    assertEquals(List.of(), XmlSemantics.exact().missing(A, A.replace("t='1'>", "t='1' y='0'><c/>")));
    assertEquals(List.of("/d/b: expected 1 element(s), got 0"), XmlSemantics.exact().missing(A, A.replace("<b>2</b>", "")));
  }

  @Test
  void unitsAreComparedInBytesOnlyWhenAsked() {
    String kib = "<domain><memory unit='KiB'>65536</memory><x><source usage='1024'/></x></domain>";
    String mib = "<domain><memory unit='MiB'>64</memory><x><source usage='1' units='MiB'/></x></domain>";
    assertEquals(List.of(), XmlSemantics.unitsNormalised().differences(kib, mib));
    assertEquals(List.of(), XmlSemantics.unitsNormalised().differences("<d><memory>64</memory></d>",
        "<d><memory unit='KiB'>64</memory></d>"));
    assertEquals(4, XmlSemantics.exact().differences(kib, mib).size());
  }
}
