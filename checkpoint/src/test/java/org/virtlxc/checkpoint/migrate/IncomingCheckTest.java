package org.virtlxc.checkpoint.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.virtlxc.checkpoint.image.HostFacts;

/** The destination's decision on a migration proposal. */
class IncomingCheckTest {
  private static final String UUID = "0b7e3a52-52a4-4a4c-9b3e-6a2c1f7b8e01";
  private static final String XML = """
      <domain type='lxc'>
        <name>vlxct-migrate-web</name>
        <uuid>0b7e3a52-52a4-4a4c-9b3e-6a2c1f7b8e01</uuid>
        <memory unit='MiB'>64</memory>
        <os><type>exe</type><init>/bin/sh</init></os>
        <devices>
          <filesystem type='mount'><source dir='/srv/vlxct-migrate/root'/><target dir='/'/></filesystem>
          <filesystem type='mount'><source dir='/srv/vlxct-migrate/data'/><target dir='/data'/></filesystem>
        </devices>
      </domain>""";
  private static final HostFacts HOST = new HostFacts("6.18.0", "x86_64",
      List.of("fpu", "sse", "sse2", "xsave", "avx"), "4.2.1");
  private static final Set<String> PATHS = Set.of("/srv/vlxct-migrate/root", "/srv/vlxct-migrate/data");

  private static MigrationMessage.Hello hello(HostFacts source, long memory) {
    return hello(source, memory, XML, StorageCopy.NONE);
  }

  private static MigrationMessage.Hello hello(HostFacts source, long memory, String xml, StorageCopy copy) {
    return new MigrationMessage.Hello(MigrationMessage.PROTOCOL, "vlxct-migrate-web", UUID, xml, source, memory,
        List.of(), false, false, false, copy);
  }

  private static IncomingCheck check(MigrationTarget.Presence presence, boolean pending, long available) {
    return new IncomingCheck(HOST, available, presence, pending, PATHS::contains, PATHS::contains);
  }

  @Test
  void acceptsACompatibleDomainThatDoesNotRunHere() {
    MigrationMessage m = check(MigrationTarget.Presence.ABSENT, false, 1L << 30).decide(hello(HOST, 100L << 20));
    assertEquals(new MigrationMessage.Accept(HOST, List.of()), m);
  }

  @Test
  void acceptsADomainDefinedButInactiveHere() {
    MigrationMessage m = check(new MigrationTarget.Presence(null, null, null, true), false, 1L << 30)
        .decide(hello(HOST, 1));
    assertInstanceOf(MigrationMessage.Accept.class, m);
  }

  @Test
  void refusesADomainRunningHere() {
    MigrationMessage m = check(new MigrationTarget.Presence(UUID, null, null, true), false, 1L << 30)
        .decide(hello(HOST, 1));
    assertEquals(List.of("domain vlxct-migrate-web is already running on this host"),
        ((MigrationMessage.Refuse) m).reasons());
  }

  @Test
  void refusesNameAndUuidClashesAndAPendingRestore() {
    MigrationMessage m = check(new MigrationTarget.Presence(null, "11111111-2222-3333-4444-555555555555", "other",
        false), true, 1L << 30).decide(hello(HOST, 1));
    List<String> r = ((MigrationMessage.Refuse) m).reasons();
    assertEquals(3, r.size(), r.toString());
    assertTrue(r.get(0).contains("another domain named vlxct-migrate-web"), r.get(0));
    assertTrue(r.get(1).contains("belongs to domain other"), r.get(1));
    assertTrue(r.get(2).contains("pending restore"), r.get(2));
  }

  @Test
  void refusesWhenMemoryIsShort() {
    MigrationMessage m = check(MigrationTarget.Presence.ABSENT, false, 50L << 20).decide(hello(HOST, 300L << 20));
    assertEquals(List.of("not enough memory: the domain uses 300 MiB, this host has 50 MiB available"),
        ((MigrationMessage.Refuse) m).reasons());
  }

  @Test
  void refusesWhenASharedPathIsMissing() {
    IncomingCheck c = new IncomingCheck(HOST, 1L << 30, MigrationTarget.Presence.ABSENT, false,
        "/srv/vlxct-migrate/root"::equals, p -> true);
    List<String> r = ((MigrationMessage.Refuse) c.decide(hello(HOST, 1))).reasons();
    assertEquals(1, r.size());
    assertTrue(r.get(0).startsWith("host path /srv/vlxct-migrate/data of the domain does not exist"), r.get(0));
  }

  @Test
  void aStorageCopyNeedsOnlyTheReadOnlySourcesAndNewDirectoriesForAFullCopy() {
    String xml = XML.replace("<target dir='/data'/>", "<target dir='/data'/><readonly/>");
    // nothing at the root's path: a full copy makes it; the read-only /data must be shared
    IncomingCheck nothingHere = new IncomingCheck(HOST, 1L << 30, MigrationTarget.Presence.ABSENT, false, p -> false,
        p -> false);
    assertEquals(List.of("host path /srv/vlxct-migrate/data of the domain does not exist on this host (read-only"
        + " filesystems are not copied: they must be on shared storage, at the same path)"),
        ((MigrationMessage.Refuse) nothingHere.decide(hello(HOST, 1, xml, StorageCopy.ALL))).reasons());
    IncomingCheck dataShared = new IncomingCheck(HOST, 1L << 30, MigrationTarget.Presence.ABSENT, false,
        "/srv/vlxct-migrate/data"::equals, "/srv/vlxct-migrate/data"::equals);
    assertInstanceOf(MigrationMessage.Accept.class, dataShared.decide(hello(HOST, 1, xml, StorageCopy.ALL)));

    // an older copy of the root is there: a full copy refuses, an incremental one updates it
    IncomingCheck olderCopy = new IncomingCheck(HOST, 1L << 30, MigrationTarget.Presence.ABSENT, false,
        PATHS::contains, PATHS::contains);
    List<String> r = ((MigrationMessage.Refuse) olderCopy.decide(hello(HOST, 1, xml, StorageCopy.ALL))).reasons();
    assertEquals(1, r.size(), r.toString());
    assertTrue(r.get(0).startsWith("host path /srv/vlxct-migrate/root already exists on this host and is not an"
        + " empty directory"), r.get(0));
    assertInstanceOf(MigrationMessage.Accept.class, olderCopy.decide(hello(HOST, 1, xml, StorageCopy.INCREMENTAL)));

    String hostRoot = XML.replace("/srv/vlxct-migrate/root", "/");
    assertTrue(((MigrationMessage.Refuse) dataShared.decide(hello(HOST, 1, hostRoot, StorageCopy.INCREMENTAL)))
        .reasons().get(0).contains("the host's root directory"));
  }

  @Test
  void refusesAnotherArchitectureMissingCpuFeaturesAndAnOlderCriu() {
    HostFacts arm = new HostFacts("6.18.0", "aarch64", List.of("fp"), "4.2.1");
    List<String> r = ((MigrationMessage.Refuse) check(MigrationTarget.Presence.ABSENT, false, 1L << 30)
        .decide(hello(arm, 1))).reasons();
    assertTrue(r.get(0).contains("aarch64"), r.toString());
    HostFacts newer = new HostFacts("6.18.0", "x86_64", List.of("fpu", "sse", "sse2", "xsave", "avx", "avx2"),
        "4.3");
    r = ((MigrationMessage.Refuse) check(MigrationTarget.Presence.ABSENT, false, 1L << 30)
        .decide(hello(newer, 1))).reasons();
    assertTrue(r.stream().anyMatch(s -> s.contains("avx2")), r.toString());
    assertTrue(r.stream().anyMatch(s -> s.contains("older CRIU")), r.toString());
  }

  @Test
  void refusesAnotherProtocolAndAMismatchedXml() {
    MigrationMessage.Hello h = hello(HOST, 1);
    MigrationMessage.Hello v2 = new MigrationMessage.Hello(2, h.domainName(), h.domainUuid(), h.domainXml(), HOST, 1,
        List.of(), false, false, false, null);
    assertTrue(((MigrationMessage.Refuse) check(MigrationTarget.Presence.ABSENT, false, 1L << 30).decide(v2))
        .reasons().get(0).contains("protocol 2"));
    MigrationMessage.Hello other = new MigrationMessage.Hello(1, "other", h.domainUuid(), h.domainXml(), HOST, 1,
        List.of(), false, false, false, null);
    assertTrue(((MigrationMessage.Refuse) check(MigrationTarget.Presence.ABSENT, false, 1L << 30).decide(other))
        .reasons().get(0).contains("not other"));
  }

  @Test
  void sharedPathsAreTheFilesystemSources() throws Exception {
    assertEquals(List.of("/srv/vlxct-migrate/root", "/srv/vlxct-migrate/data"),
        IncomingCheck.sharedPaths(org.virtlxc.domainxml.DomainXml.parse(XML, "test")));
  }
}
