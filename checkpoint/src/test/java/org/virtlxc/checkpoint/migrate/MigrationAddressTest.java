package org.virtlxc.checkpoint.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MigrationAddressTest {
  @Test
  void theHostOfALibvirtUriWithTheDefaultPort() {
    assertEquals(new MigrationAddress("dst.example", 16520), MigrationAddress.fromLibvirtUri("lxc+tcp://dst.example/system"));
    assertEquals(new MigrationAddress("10.0.0.2", 16520), MigrationAddress.fromLibvirtUri("lxc://10.0.0.2/"));
    assertEquals(new MigrationAddress("dst", 16520), MigrationAddress.fromLibvirtUri("lxc+ssh://root@dst/system"));
    assertEquals(new MigrationAddress("fd00::2", 16520), MigrationAddress.fromLibvirtUri("lxc+tls://[fd00::2]/"));
  }

  @Test
  void aMigrateUriNamesHostAndPort() {
    assertEquals(new MigrationAddress("10.0.0.2", 4000), MigrationAddress.fromMigrateUri("tcp://10.0.0.2:4000"));
    assertEquals(new MigrationAddress("10.0.0.2", 16520), MigrationAddress.fromMigrateUri("tcp://10.0.0.2"));
    assertEquals(new MigrationAddress("dst", 4000), MigrationAddress.fromMigrateUri("dst:4000"));
    assertEquals(new MigrationAddress("0.0.0.0", 4001), MigrationAddress.fromListen("4001"));
    assertEquals(new MigrationAddress("0.0.0.0", 16520), MigrationAddress.fromListen(null));
  }

  @Test
  void badUrisAreNamed() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MigrationAddress.fromLibvirtUri("lxc:///"))
        .getMessage().contains("names no host"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MigrationAddress.fromLibvirtUri("qemu://h/system"))
        .getMessage().contains("not an LXC URI"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MigrationAddress.fromMigrateUri("udp://h:1"))
        .getMessage().contains("tcp://HOST[:PORT]"));
  }
}
