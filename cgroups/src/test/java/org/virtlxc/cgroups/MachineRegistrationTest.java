package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one decision between machined's scope and the manual layout, with a fake /run/systemd/system and bus. */
class MachineRegistrationTest {
  static final String SCOPE = "/machine.slice/machine-lxc\\x2d42\\x2dweb.scope";
  static final String V2_CGROUP = "0::" + SCOPE + "\n";
  static final String V1_CGROUP = "12:memory:/\n4:cpu,cpuacct:/\n1:name=systemd:" + SCOPE + "\n0::/\n";

  @TempDir
  Path run;
  final FakeBus bus = new FakeBus();
  final MachineCgroup manual = MachineCgroup.of("/machine", 42, "web");
  final MachineRequest request = MachineRequest.lxc(manual, MachinedTest.UUID, 4242, List.of());

  MachineRegistration registration(boolean systemd, String leaderCgroup) throws Exception {
    Path dir = run.resolve("systemd/system");
    if (systemd) {
      Files.createDirectories(dir);
    }
    return new MachineRegistration(dir, new Machined(bus), pid -> {
      assertEquals(4242, pid, "the scope is read from the leader");
      return leaderCgroup;
    });
  }

  @Test
  void withoutSystemdTheManualLayoutAndNoBusCall() throws Exception {
    MachineCgroup c = registration(false, V2_CGROUP).register(manual, request);
    assertSame(manual, c);
    assertEquals("/machine/lxc-42-web.libvirt-lxc", c.path());
    assertEquals(List.of(), bus.calls);
  }

  @Test
  void systemdWithoutMachinedIsTheManualLayout() throws Exception {
    bus.answers.put("ListActivatableNames", FakeBus.ok("as 1 \"org.freedesktop.DBus\"\n"));
    assertSame(manual, registration(true, V2_CGROUP).register(manual, request));
    assertEquals(List.of("ListActivatableNames", "ListNames"), bus.methods());
  }

  @Test
  void systemdWithoutReachableBusIsTheManualLayout() throws Exception {
    bus.unreachable = true;
    assertSame(manual, registration(true, V2_CGROUP).register(manual, request));
    assertEquals(List.of("ListActivatableNames"), bus.methods());
  }

  @Test
  void machinedRegistersAndTheScopeIsTheLeadersCgroupOnV2() throws Exception {
    MachineCgroup c = registration(true, V2_CGROUP).register(manual, request);
    assertEquals(SCOPE, c.path());
    assertEquals(List.of("machine.slice"), c.partitionComponents());
    assertEquals("machine-lxc\\x2d42\\x2dweb.scope", c.dirName());
    assertEquals(SystemdUnitNames.scopeName(manual.machineName()), c.dirName());
    assertEquals(List.of("ListActivatableNames", "ListNames", "CreateMachineWithNetwork"), bus.methods());
    assertEquals(Machined.createMachineArgv(request, true), bus.calls.get(2));
  }

  @Test
  void onV1TheScopeComesFromTheNameSystemdHierarchy() throws Exception {
    assertEquals(SCOPE, registration(true, V1_CGROUP).register(manual, request).path());
    assertEquals(SCOPE, MachineRegistration.scopeOf(V1_CGROUP));
    assertEquals(SCOPE, MachineRegistration.scopeOf(V2_CGROUP));
    assertEquals("/", MachineRegistration.scopeOf("0::/\n"));
    assertNull(MachineRegistration.scopeOf("4:cpu,cpuacct:/x\n"));
  }

  @Test
  void aLeaderLeftAtTheRootMeansSystemdMadeNoScope() throws Exception {
    assertSame(manual, registration(true, "0::/\n").register(manual, request));
    assertEquals("CreateMachineWithNetwork", bus.methods().get(2));
  }

  @Test
  void aRefusedRegistrationDoesNotFallBack() throws Exception {
    bus.answers.put("CreateMachineWithNetwork", FakeBus.failed("Call failed: Access denied\n"));
    MachineRegistration r = registration(true, V2_CGROUP);
    CgroupException e = assertThrows(CgroupException.class, () -> r.register(manual, request));
    assertEquals("unable to register machine lxc-42-web with systemd-machined: Call failed: Access denied",
        e.getMessage());
  }
}
