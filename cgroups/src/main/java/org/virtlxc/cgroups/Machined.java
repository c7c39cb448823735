package org.virtlxc.cgroups;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * systemd-machined on the system bus, called through {@code busctl} (systemd's own client, present wherever machined
 * is). The calls and their arguments are libvirt's (virsystemd.c): {@code CreateMachineWithNetwork}, falling back to
 * {@code CreateMachine} when machined does not know it, and {@code TerminateMachine}, where "no such machine" is not
 * an error. busctl prints an error's message but not its D-Bus name, so those two cases are recognised by the
 * messages sd-bus and machined write for them.
 */
public final class Machined {
  private static final Logger LOG = LogManager.getLogger(Machined.class);
  static final String DESTINATION = "org.freedesktop.machine1";
  static final String OBJECT = "/org/freedesktop/machine1";
  static final String INTERFACE = "org.freedesktop.machine1.Manager";
  private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final BusRunner bus;

  public Machined(BusRunner bus) {
    this.bus = bus;
  }

  /**
   * libvirt's {@code virSystemdHasMachined}: machine1 is activatable or running, and systemd1 is running. A bus that
   * cannot be reached (no busctl, no system bus socket) counts as "not available", as libvirt's missing system bus.
   */
  public boolean available() {
    try {
      List<String> activatable = names("ListActivatableNames");
      if (!activatable.contains(DESTINATION) && !names("ListNames").contains(DESTINATION)) {
        LOG.debug("{} is neither activatable nor running", DESTINATION);
        return false;
      }
      if (!names("ListNames").contains("org.freedesktop.systemd1")) {
        LOG.debug("org.freedesktop.systemd1 is not running");
        return false;
      }
      return true;
    } catch (IOException e) {
      LOG.debug("system bus not reachable: {}", e.getMessage());
      return false;
    }
  }

  private List<String> names(String method) throws IOException {
    BusRunner.Result r = bus.run(listNamesArgv(method));
    if (!r.ok()) {
      throw new IOException("busctl " + method + " failed: " + message(r));
    }
    return parseStringArray(r.stdout());
  }

  /** Registers the machine; machined then moves {@code request.leader()} into the new scope. */
  public void createMachine(MachineRequest request) throws CgroupException {
    BusRunner.Result r = call(createMachineArgv(request, true));
    if (!r.ok() && isUnknownMethod(r)) {
      LOG.info("CreateMachineWithNetwork isn't supported, switching to CreateMachine");
      r = call(createMachineArgv(request, false));
    }
    if (!r.ok()) {
      throw new CgroupException(CgroupException.Code.SYSTEM,
          "unable to register machine " + request.name() + " with systemd-machined: " + message(r));
    }
  }

  /** Terminates machine {@code name}; a machine machined does not know (any more) is not an error. */
  public void terminateMachine(String name) throws CgroupException {
    BusRunner.Result r = call(terminateMachineArgv(name));
    if (!r.ok() && !isNoSuchMachine(r)) {
      throw new CgroupException(CgroupException.Code.SYSTEM,
          "unable to terminate machine " + name + " with systemd-machined: " + message(r));
    }
  }

  private BusRunner.Result call(List<String> argv) throws CgroupException {
    try {
      return bus.run(argv);
    } catch (IOException e) {
      throw new CgroupException(CgroupException.Code.SYSTEM, "unable to call systemd-machined: " + e.getMessage(), e);
    }
  }

  /** {@code busctl call} of a method of {@code org.freedesktop.DBus} returning the "as" of bus names. */
  static List<String> listNamesArgv(String method) {
    return List.of("busctl", "--system", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus", method);
  }

  /**
   * {@code CreateMachineWithNetwork(s name, ay id, s service, s class, u leader, s root_directory, ai nic_indexes,
   * a(sv) scope_properties)}, or without the {@code ai} for {@code CreateMachine}. The scope properties are libvirt's
   * three: Slice, After=libvirtd.service, Before=virt-guest-shutdown.target. busctl writes arrays as a count followed
   * by the elements and a variant as its signature followed by the value.
   */
  static List<String> createMachineArgv(MachineRequest r, boolean withNetwork) {
    List<String> a = new ArrayList<>(List.of("busctl", "--system", "call", DESTINATION, OBJECT, INTERFACE,
        withNetwork ? "CreateMachineWithNetwork" : "CreateMachine",
        withNetwork ? "sayssusaia(sv)" : "sayssusa(sv)"));
    a.add(r.name());
    a.add(Integer.toString(r.uuid().length));
    for (byte b : r.uuid()) {
      a.add(Integer.toString(b & 0xff));
    }
    a.add(r.service());
    a.add(r.machineClass());
    a.add(Long.toString(r.leader()));
    a.add(r.rootDirectory());
    if (withNetwork) {
      a.add(Integer.toString(r.nicIndexes().size()));
      for (int i : r.nicIndexes()) {
        a.add(Integer.toString(i));
      }
    }
    a.addAll(List.of("3", "Slice", "s", r.slice(), "After", "as", "1", "libvirtd.service",
        "Before", "as", "1", "virt-guest-shutdown.target"));
    return a;
  }

  /** {@code TerminateMachine(s name)}. */
  static List<String> terminateMachineArgv(String name) {
    return List.of("busctl", "--system", "call", DESTINATION, OBJECT, INTERFACE, "TerminateMachine", "s", name);
  }

  /** The strings of busctl's rendering of an "as" reply: {@code as 2 "a" "b"}. */
  static List<String> parseStringArray(String stdout) throws IOException {
    String s = stdout.trim();
    if (!s.startsWith("as ")) {
      throw new IOException("unexpected busctl reply '" + s + "' (expected an array of strings)");
    }
    List<String> names = new ArrayList<>();
    Matcher m = QUOTED.matcher(s);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** sd-bus's text for org.freedesktop.DBus.Error.UnknownMethod ("Unknown method 'X' or interface 'Y'."). */
  static boolean isUnknownMethod(BusRunner.Result r) {
    return r.stderr().contains("Unknown method");
  }

  /** machined's text for org.freedesktop.machine1.NoSuchMachine ("No machine 'X' known"). */
  static boolean isNoSuchMachine(BusRunner.Result r) {
    return r.stderr().contains("No machine '");
  }

  private static String message(BusRunner.Result r) {
    String e = r.stderr().strip();
    return e.isEmpty() ? "busctl exited with status " + r.exitCode() : e;
  }
}
