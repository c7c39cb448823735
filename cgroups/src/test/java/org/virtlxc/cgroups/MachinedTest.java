package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The busctl command lines for machined, argument by argument, and how its answers are read. */
class MachinedTest {
  /** libvirt's test UUID in virsystemdtest.c: 1,1,1,1, 2,2,2,2, 3,3,3,3, 4,4,4,4. */
  static final String UUID = "01010101-0202-0202-0303-030304040404";

  static MachineRequest demo(List<Integer> nics) {
    return new MachineRequest("lxc-123-demo", MachineRequest.uuidBytes(UUID), "libvirt-lxc", "container", 123, "",
        nics, "machine.slice");
  }

  static final List<String> PROPERTIES = List.of("3", "Slice", "s", "machine.slice", "After", "as", "1",
      "libvirtd.service", "Before", "as", "1", "virt-guest-shutdown.target");

  static List<String> expected(String method, String signature, List<String> middle) {
    List<String> a = new ArrayList<>(List.of("busctl", "--system", "call", "org.freedesktop.machine1",
        "/org/freedesktop/machine1", "org.freedesktop.machine1.Manager", method, signature, "lxc-123-demo", "16",
        "1", "1", "1", "1", "2", "2", "2", "2", "3", "3", "3", "3", "4", "4", "4", "4",
        "libvirt-lxc", "container", "123", ""));
    a.addAll(middle);
    a.addAll(PROPERTIES);
    return a;
  }

  @Test
  void createMachineWithNetworkArguments() {
    assertEquals(expected("CreateMachineWithNetwork", "sayssusaia(sv)", List.of("3", "2", "1729", "87539319")),
        Machined.createMachineArgv(demo(List.of(2, 1729, 87539319)), true));
    assertEquals(expected("CreateMachineWithNetwork", "sayssusaia(sv)", List.of("0")),
        Machined.createMachineArgv(demo(List.of()), true));
  }

  @Test
  void createMachineArgumentsHaveNoInterfaceArray() {
    assertEquals(expected("CreateMachine", "sayssusa(sv)", List.of()),
        Machined.createMachineArgv(demo(List.of(2)), false));
  }

  @Test
  void uuidBytesAreUnsignedAndWithoutUuidTheIdIsEmpty() {
    MachineRequest r = new MachineRequest("lxc-1-x", MachineRequest.uuidBytes("c7a5fdbd-edaf-9455-926a-d65c16db1809"),
        "libvirt-lxc", "container", 1, "", List.of(), "machine.slice");
    assertEquals(List.of("16", "199", "165", "253", "189", "237", "175", "148", "85", "146", "106", "214", "92", "22",
        "219", "24", "9"), Machined.createMachineArgv(r, false).subList(9, 26));
    assertArrayEquals(new byte[0], MachineRequest.uuidBytes(null));
    MachineRequest none = new MachineRequest("lxc-1-x", new byte[0], "libvirt-lxc", "container", 1, "", List.of(),
        "machine.slice");
    assertEquals(List.of("lxc-1-x", "0", "libvirt-lxc"), Machined.createMachineArgv(none, false).subList(8, 11));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MachineRequest.uuidBytes("c7a5"));
    assertEquals("invalid domain <uuid> 'c7a5'", e.getMessage());
  }

  @Test
  void lxcRequestIsLibvirtsForTheDomainPartition() {
    MachineRequest r = MachineRequest.lxc(MachineCgroup.of("/machine/tenant", 42, "web"), UUID, 4242, List.of(7));
    assertEquals("lxc-42-web", r.name());
    assertEquals("libvirt-lxc", r.service());
    assertEquals("container", r.machineClass());
    assertEquals(4242, r.leader());
    assertEquals("", r.rootDirectory());
    assertEquals(List.of(7), r.nicIndexes());
    assertEquals("machine-tenant.slice", r.slice());
  }

  @Test
  void terminateArguments() {
    assertEquals(List.of("busctl", "--system", "call", "org.freedesktop.machine1", "/org/freedesktop/machine1",
        "org.freedesktop.machine1.Manager", "TerminateMachine", "s", "lxc-demo"),
        Machined.terminateMachineArgv("lxc-demo"));
  }

  @Test
  void createFallsBackToCreateMachineOnlyWhenTheMethodIsUnknown() throws Exception {
    FakeBus bus = new FakeBus();
    bus.answers.put("CreateMachineWithNetwork", FakeBus.failed(
        "Call failed: Unknown method CreateMachineWithNetwork or interface org.freedesktop.machine1.Manager.\n"));
    new Machined(bus).createMachine(demo(List.of()));
    assertEquals(List.of("CreateMachineWithNetwork", "CreateMachine"), bus.methods());
    assertEquals(expected("CreateMachine", "sayssusa(sv)", List.of()), bus.calls.get(1));
  }

  @Test
  void aRefusedRegistrationIsAnError() {
    FakeBus bus = new FakeBus();
    bus.answers.put("CreateMachineWithNetwork", FakeBus.failed("Call failed: Machine 'lxc-123-demo' already exists\n"));
    CgroupException e = assertThrows(CgroupException.class, () -> new Machined(bus).createMachine(demo(List.of())));
    assertEquals("unable to register machine lxc-123-demo with systemd-machined: "
        + "Call failed: Machine 'lxc-123-demo' already exists", e.getMessage());
    assertEquals(List.of("CreateMachineWithNetwork"), bus.methods());
  }

  @Test
  void terminatingAnUnknownMachineIsNoError() throws Exception {
    FakeBus bus = new FakeBus();
    bus.answers.put("TerminateMachine", FakeBus.failed("Call failed: No machine 'lxc-demo' known\n"));
    new Machined(bus).terminateMachine("lxc-demo");
    bus.answers.put("TerminateMachine", FakeBus.failed("Call failed: Access denied\n"));
    CgroupException e = assertThrows(CgroupException.class, () -> new Machined(bus).terminateMachine("lxc-demo"));
    assertEquals("unable to terminate machine lxc-demo with systemd-machined: Call failed: Access denied",
        e.getMessage());
  }

  @Test
  void availableNeedsMachinedActivatableOrRunningAndSystemdRunning() {
    FakeBus bus = new FakeBus();
    assertTrue(new Machined(bus).available());

    bus.answers.put("ListActivatableNames", FakeBus.ok("as 1 \"org.freedesktop.DBus\"\n"));
    assertFalse(new Machined(bus).available(), "machined neither activatable nor running");
    bus.answers.put("ListNames", FakeBus.ok("as 2 \"org.freedesktop.machine1\" \"org.freedesktop.systemd1\"\n"));
    assertTrue(new Machined(bus).available(), "running but not activatable");

    bus.answers.put("ListNames", FakeBus.ok("as 1 \"org.freedesktop.machine1\"\n"));
    assertFalse(new Machined(bus).available(), "systemd not running");

    FakeBus down = new FakeBus();
    down.unreachable = true;
    assertFalse(new Machined(down).available(), "no system bus");
    assertFalse(new Machined(argv -> {
      throw new IOException("Cannot run program \"busctl\": error=2, No such file or directory");
    }).available(), "no busctl");
  }

  @Test
  void parsesBusctlStringArrays() throws IOException {
    assertEquals(List.of("a", "b\\\"c", ""), Machined.parseStringArray("as 3 \"a\" \"b\\\"c\" \"\"\n"));
    assertEquals(List.of(), Machined.parseStringArray("as 0\n"));
    assertThrows(IOException.class, () -> Machined.parseStringArray("o \"/x\""));
  }
}
