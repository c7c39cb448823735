package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole machine cgroup life cycle on directory trees shaped like cgroupfs, with a fake systemd: where the
 * directories are made, where limits and tasks go, and that a registered machine is terminated before removal.
 */
class MachinedManagerTest {
  static final String SCOPE_DIR = "machine-lxc\\x2d42\\x2dweb.scope";
  static final String SCOPE = "/machine.slice/" + SCOPE_DIR;

  @TempDir
  Path tmp;
  final FakeBus bus = new FakeBus();
  final MachineCgroup manual = MachineCgroup.of("/machine", 42, "web");
  final MachineRequest request = MachineRequest.lxc(manual, MachinedTest.UUID, 4242, List.of());

  MachineRegistration registration(boolean systemd) throws Exception {
    Path dir = tmp.resolve("run/systemd/system");
    if (systemd) {
      Files.createDirectories(dir);
    }
    return new MachineRegistration(dir, new Machined(bus), pid -> "0::" + SCOPE + "\n");
  }

  /** A cgroup2 root where systemd made machine.slice and, on registration, the scope (with the leader in it). */
  Path v2Root() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("cgroup2"));
    V2ManagerTest.write(root, "cgroup.controllers", "cpuset cpu io memory pids");
    V2ManagerTest.write(root, "cgroup.subtree_control", "cpu io memory pids");
    Path slice = Files.createDirectory(root.resolve("machine.slice"));
    V2ManagerTest.write(slice, "cgroup.controllers", "cpu io memory pids");
    V2ManagerTest.write(slice, "cgroup.subtree_control", "memory pids");
    Path scope = Files.createDirectory(slice.resolve(SCOPE_DIR));
    V2ManagerTest.kernelDefaults(scope);
    return root;
  }

  @Test
  void v2RegisteredMachineUsesTheScopeDirectory() throws Exception {
    Path root = v2Root();
    CgroupLayout layout = new CgroupLayout(CgroupLayout.Mode.V2, Map.of(), root, Map.of());
    MachinedManager m = new MachinedManager(layout, manual, HostTopology.of("0-3", "0"), registration(true), request);
    m.create();
    Path scope = root.resolve("machine.slice").resolve(SCOPE_DIR);

    assertTrue(m.registered());
    assertEquals(SCOPE, m.cgroup().path());
    assertEquals(List.of(scope), m.paths());
    assertFalse(Files.exists(root.resolve("machine")), "no manual-layout directory");
    m.apply(CgroupResources.NONE.withMemory(256L << 20, null, null, null));
    assertEquals(Long.toString(256L << 20), Files.readString(scope.resolve("memory.max")));
    m.addProcess(4343);
    assertEquals("4343", Files.readString(scope.resolve("cgroup.procs")));
    assertEquals("+cpu +io", Files.readString(root.resolve("machine.slice/cgroup.subtree_control")),
        "controllers the scope lacks are enabled in its slice, as libvirt does");

    V2ManagerTest.emptyLikeKernel(scope);
    m.destroy();
    assertEquals(List.of("ListActivatableNames", "ListNames", "CreateMachineWithNetwork", "TerminateMachine"),
        bus.methods());
    assertEquals(Machined.terminateMachineArgv("lxc-42-web"), bus.calls.get(3));
    assertFalse(Files.exists(scope));
    assertTrue(Files.isDirectory(root.resolve("machine.slice")), "systemd's slice stays");
  }

  @Test
  void v1RegisteredMachineUsesTheScopeInEveryHierarchy() throws Exception {
    Path cpu = Files.createDirectories(tmp.resolve("v1/cpu"));
    Path memory = Files.createDirectories(tmp.resolve("v1/memory"));
    Path named = Files.createDirectories(tmp.resolve("v1/systemd").resolve("machine.slice").resolve(SCOPE_DIR))
        .getParent().getParent();   // systemd made the scope in its own hierarchy only
    CgroupLayout layout = new CgroupLayout(CgroupLayout.Mode.V1,
        Map.of("cpu", cpu, "memory", memory, "name=systemd", named), null, Map.of());
    MachineRegistration reg = new MachineRegistration(Files.createDirectories(tmp.resolve("run/systemd/system")),
        new Machined(bus), pid -> "3:memory:/\n2:cpu:/\n1:name=systemd:" + SCOPE + "\n");
    MachinedManager m = new MachinedManager(layout, manual, HostTopology.of("0-1", "0"), reg, request);
    m.create();

    for (Path h : List.of(cpu, memory, named)) {
      assertTrue(Files.isDirectory(h.resolve("machine.slice").resolve(SCOPE_DIR)), h.toString());
      assertFalse(Files.exists(h.resolve("machine")), h.toString());
    }
    Files.writeString(cpu.resolve("machine.slice").resolve(SCOPE_DIR).resolve("cpu.shares"), "1024");
    m.apply(CgroupResources.NONE.withCpu(300L, null, null));
    assertEquals("300", Files.readString(cpu.resolve("machine.slice").resolve(SCOPE_DIR).resolve("cpu.shares")));

    Files.delete(cpu.resolve("machine.slice").resolve(SCOPE_DIR).resolve("cpu.shares"));
    m.destroy();
    assertEquals("TerminateMachine", bus.methods().get(bus.methods().size() - 1));
    assertFalse(Files.exists(cpu.resolve("machine.slice")), "levels it created in controller hierarchies go");
    assertFalse(Files.exists(memory.resolve("machine.slice")));
    assertTrue(Files.isDirectory(named.resolve("machine.slice")), "systemd's slice stays");
  }

  @Test
  void withoutSystemdTheManualLayoutIsUnchanged() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("cgroup2"));
    V2ManagerTest.write(root, "cgroup.controllers", "cpu memory");
    V2ManagerTest.write(root, "cgroup.subtree_control", "");
    Path machine = Files.createDirectory(root.resolve("machine"));
    V2ManagerTest.write(machine, "cgroup.controllers", "cpu memory");
    V2ManagerTest.write(machine, "cgroup.subtree_control", "cpu memory");
    CgroupLayout layout = new CgroupLayout(CgroupLayout.Mode.V2, Map.of(), root, Map.of());
    MachinedManager m = new MachinedManager(layout, manual, HostTopology.of("0", "0"), registration(false), request);
    m.create();

    assertFalse(m.registered());
    assertEquals(manual, m.cgroup());
    assertEquals(List.of(root.resolve("machine/lxc-42-web.libvirt-lxc")), m.paths());
    m.destroy();
    assertFalse(Files.exists(root.resolve("machine/lxc-42-web.libvirt-lxc")));
    assertEquals(List.of(), bus.calls, "no bus call at all");
  }

  @Test
  void aFailedCreateTerminatesTheRegisteredMachine() throws Exception {
    Path root = v2Root();
    Files.delete(root.resolve("machine.slice/cgroup.controllers"));   // unreadable slice: the backend fails
    CgroupLayout layout = new CgroupLayout(CgroupLayout.Mode.V2, Map.of(), root, Map.of());
    MachinedManager m = new MachinedManager(layout, manual, HostTopology.of("0-3", "0"), registration(true), request);
    assertThrows(CgroupException.class, m::create);
    assertEquals("TerminateMachine", bus.methods().get(bus.methods().size() - 1));
    assertFalse(m.registered());
    assertThrows(IllegalStateException.class, () -> m.addProcess(1));
  }

  @Test
  void aRequestForAnotherMachineIsRefused() {
    MachineRequest other = MachineRequest.lxc(MachineCgroup.of("/machine", 43, "web"), null, 1, List.of());
    assertThrows(IllegalArgumentException.class, () -> new MachinedManager(
        new CgroupLayout(CgroupLayout.Mode.V2, Map.of(), tmp, Map.of()), manual, HostTopology.of("0", "0"),
        registration(false), other));
  }
}
