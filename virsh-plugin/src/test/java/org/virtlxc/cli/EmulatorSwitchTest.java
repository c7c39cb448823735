package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmulatorSwitchTest {
  private static final String DOMAIN = "<domain type='lxc'><name>d</name><memory>1024</memory>"
      + "<os><type>exe</type><init>/bin/sh</init></os>"
      + "<devices><emulator>/usr/lib/libvirt/libvirt_lxc</emulator><console type='pty'/></devices></domain>";

  @Test
  void adoptRecordsThePreviousEmulatorAndRevertRestoresTheDocument() {
    String adopted = EmulatorSwitch.of(DOMAIN).record("/usr/lib/libvirt/libvirt_lxc").setEmulator("/opt/ctl").xml();
    EmulatorSwitch doc = EmulatorSwitch.of(adopted);
    assertEquals(Optional.of("/opt/ctl"), doc.emulator());
    assertEquals(Optional.of("/usr/lib/libvirt/libvirt_lxc"), doc.recordedEmulator());
    assertTrue(adopted.contains("</devices><metadata><virtlxc:adopted "), adopted);
    assertTrue(adopted.contains("xmlns:virtlxc=\"" + EmulatorSwitch.NAMESPACE + "\""), adopted);

    String reverted = doc.setEmulator(doc.recordedEmulator().orElseThrow()).forget().xml();
    assertEquals(EmulatorSwitch.of(DOMAIN).xml(), reverted);
  }

  @Test
  void revertKeepsOtherMetadata() {
    String withOther = DOMAIN.replace("</domain>", "<metadata><app:x xmlns:app='urn:app'>1</app:x></metadata></domain>");
    String reverted = EmulatorSwitch.of(withOther).record("/a").forget().xml();
    assertTrue(reverted.contains("<metadata><app:x xmlns:app=\"urn:app\">1</app:x></metadata>"), reverted);
    assertEquals(Optional.empty(), EmulatorSwitch.of(reverted).recordedEmulator());
  }

  @Test
  void setEmulatorAddsTheElementWhenMissing() {
    String noEmulator = DOMAIN.replace("<emulator>/usr/lib/libvirt/libvirt_lxc</emulator>", "");
    EmulatorSwitch doc = EmulatorSwitch.of(noEmulator);
    assertFalse(doc.emulator().isPresent());
    assertEquals(Optional.of("/opt/ctl"), EmulatorSwitch.of(doc.setEmulator("/opt/ctl").xml()).emulator());
    assertEquals("d", doc.name());
  }
}
