package org.virtlxc.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The choice libvirt's {@code virCgroupNewMachine} makes between its two layouts. On a host booted with systemd
 * ({@code /run/systemd/system} exists) where systemd-machined is reachable, the machine is registered with machined,
 * which puts the leader into a scope; the scope's path is then read back from the leader's
 * {@code /proc/<pid>/cgroup} (the cgroup2 line, else the name=systemd one), as libvirt's
 * {@code virCgroupNewMachineSystemd} does. Without systemd or machined, or when the leader did not land in a scope,
 * the manual layout is used ({@code virCgroupNewMachineManual}). A registration machined refuses is an error, as in
 * libvirt: nothing falls back then.
 */
public final class MachineRegistration {
  private static final Logger LOG = LogManager.getLogger(MachineRegistration.class);

  /** Reads {@code /proc/<pid>/cgroup}. */
  public interface ProcCgroupReader {
    String read(long pid) throws IOException;
  }

  private final Path systemdRunDir;
  private final Machined machined;
  private final ProcCgroupReader procCgroup;

  /**
   * @param systemdRunDir {@code /run/systemd/system} (sd_booted's test), or a fake in tests
   * @param machined      the machined client
   * @param procCgroup    reads a process's cgroup file
   */
  public MachineRegistration(Path systemdRunDir, Machined machined, ProcCgroupReader procCgroup) {
    this.systemdRunDir = systemdRunDir;
    this.machined = machined;
    this.procCgroup = procCgroup;
  }

  /** The host's registration: the real {@code /run/systemd/system}, busctl and /proc. */
  public static MachineRegistration system() {
    return new MachineRegistration(Path.of("/run/systemd/system"), new Machined(BusRunner.system(30)),
        pid -> Files.readString(Path.of("/proc", Long.toString(pid), "cgroup")));
  }

  /** The machined client this registration uses (to terminate the machine later). */
  public Machined machined() {
    return machined;
  }

  /**
   * Registers {@code request} with machined when the host has it.
   *
   * @return {@code cgroup} in the scope machined made, or {@code cgroup} unchanged (the manual layout) when systemd or
   *     machined is not available
   * @throws CgroupException when machined is there but refuses the machine, or the leader's cgroup cannot be read
   */
  public MachineCgroup register(MachineCgroup cgroup, MachineRequest request) throws CgroupException {
    if (!Files.isDirectory(systemdRunDir)) {
      LOG.debug("{} absent: not a systemd host, manual cgroup layout", systemdRunDir);
      return cgroup;
    }
    if (!machined.available()) {
      LOG.info("systemd-machined not available: manual cgroup layout");
      return cgroup;
    }
    machined.createMachine(request);
    String text;
    try {
      text = procCgroup.read(request.leader());
    } catch (IOException e) {
      throw new CgroupException(CgroupException.Code.SYSTEM,
          "unable to read the cgroup of machine leader " + request.leader() + ": " + e.getMessage(), e);
    }
    String scope = scopeOf(text);
    if (scope == null || scope.equals("/") || !scope.startsWith("/")) {
      LOG.info("systemd did not set up a scope for machine {} (leader cgroup {}): manual cgroup layout",
          request.name(), scope);
      return cgroup;
    }
    LOG.info("machine {} registered with systemd-machined in {}", request.name(), scope);
    return cgroup.inScope(scope);
  }

  /**
   * The systemd placement in a {@code /proc/<pid>/cgroup} text: the cgroup2 ("0::") line unless it is the root (a
   * cgroup2 mount systemd does not use), else the name=systemd line; null when neither is there.
   */
  static String scopeOf(String procCgroupText) {
    Map<String, String> placement = CgroupLayout.parsePlacement(procCgroupText);
    String v2 = placement.get("");
    if (v2 != null && !v2.equals("/")) {
      return v2;
    }
    String named = placement.get("name=systemd");
    return named != null ? named : v2;
  }
}
