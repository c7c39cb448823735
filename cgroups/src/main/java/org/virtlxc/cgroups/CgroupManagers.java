package org.virtlxc.cgroups;

/** Picks the backend for the host layout (runc's {@code manager.New}). */
public final class CgroupManagers {
  private CgroupManagers() {}

  /** A manager for {@code cgroup} on {@code layout}, validating cpusets against the running host. */
  public static CgroupManager create(CgroupLayout layout, MachineCgroup cgroup) throws CgroupException {
    return create(layout, cgroup, HostTopology.detect());
  }

  /** As {@link #create(CgroupLayout, MachineCgroup)} with an explicit host topology. */
  public static CgroupManager create(CgroupLayout layout, MachineCgroup cgroup, HostTopology host) {
    return switch (layout.mode()) {
      case V1, HYBRID -> new V1Manager(layout, cgroup, host);
      case V2 -> new V2Manager(layout.v2Mount(), cgroup, host);
    };
  }
}
