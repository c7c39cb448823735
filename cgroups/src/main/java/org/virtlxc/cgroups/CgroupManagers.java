package org.virtlxc.cgroups;

import java.util.List;

/** Picks the backend for the host layout (runc's {@code manager.New}). */
public final class CgroupManagers {
  private CgroupManagers() {}

  /** A manager for {@code cgroup} on {@code layout}, validating cpusets against the running host. */
  public static CgroupManager create(CgroupLayout layout, MachineCgroup cgroup) throws CgroupException {
    return create(layout, cgroup, HostTopology.detect());
  }

  /**
   * A manager that, on {@link CgroupManager#create()}, registers the machine with systemd-machined when the host has it
   * and lays the cgroup out in machined's scope, else in the manual layout (libvirt's {@code virCgroupNewMachine}).
   *
   * @param leader     the machine's leader pid: libvirt's LXC driver names the container's init
   * @param uuid       the domain's {@code <uuid>}, or null
   * @param nicIndexes interface indexes of the host ends of the domain's veths
   */
  public static CgroupManager forMachine(CgroupLayout layout, MachineCgroup cgroup, String uuid, long leader,
      List<Integer> nicIndexes) throws CgroupException {
    MachineRequest request;
    try {
      request = MachineRequest.lxc(cgroup, uuid, leader, nicIndexes);
    } catch (IllegalArgumentException e) {
      throw CgroupException.config(e.getMessage());
    }
    return new MachinedManager(layout, cgroup, HostTopology.detect(), MachineRegistration.system(), request);
  }

  /** As {@link #create(CgroupLayout, MachineCgroup)} with an explicit host topology. */
  public static CgroupManager create(CgroupLayout layout, MachineCgroup cgroup, HostTopology host) {
    return switch (layout.mode()) {
      case V1, HYBRID -> new V1Manager(layout, cgroup, host);
      case V2 -> new V2Manager(layout.v2Mount(), cgroup, host);
    };
  }
}
