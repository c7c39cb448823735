package org.virtlxc.cgroups;

import java.util.List;

/**
 * What libvirt's LXC driver tells systemd-machined about a container (virsystemd.c {@code virSystemdCreateMachine} as
 * {@code lxc_cgroup.c virLXCCgroupCreate} calls it).
 *
 * @param name          the machine name, "lxc-&lt;controller pid&gt;-&lt;filtered name&gt;"
 * @param uuid          the domain UUID's 16 bytes, or none
 * @param service       "libvirt-lxc"
 * @param machineClass  "container"
 * @param leader        the machine's leader pid (libvirt: the container's init)
 * @param rootDirectory the root directory; libvirt's LXC driver passes none (empty)
 * @param nicIndexes    interface indexes of the host ends of the domain's veths
 * @param slice         the slice for the scope, from the resource partition ("machine.slice")
 */
public record MachineRequest(String name, byte[] uuid, String service, String machineClass, long leader,
                             String rootDirectory, List<Integer> nicIndexes, String slice) {

  public MachineRequest {
    if (uuid.length != 0 && uuid.length != 16) {
      throw new IllegalArgumentException("a machine id has 16 bytes, not " + uuid.length);
    }
    uuid = uuid.clone();
    nicIndexes = List.copyOf(nicIndexes);
    rootDirectory = rootDirectory == null ? "" : rootDirectory;
  }

  /** libvirt's request for LXC machine {@code cgroup} of a domain with UUID {@code uuid} (null: none). */
  public static MachineRequest lxc(MachineCgroup cgroup, String uuid, long leader, List<Integer> nicIndexes) {
    return new MachineRequest(cgroup.machineName(), uuidBytes(uuid), "libvirt-lxc", "container", leader, "",
        nicIndexes, SystemdUnitNames.sliceName(cgroup.partition()));
  }

  /** The 16 bytes of a UUID written with or without dashes (libvirt's virUUIDParse also skips them). */
  static byte[] uuidBytes(String uuid) {
    if (uuid == null || uuid.isBlank()) {
      return new byte[0];
    }
    String hex = uuid.trim().replace("-", "");
    if (!hex.matches("[0-9a-fA-F]{32}")) {
      throw new IllegalArgumentException("invalid domain <uuid> '" + uuid + "'");
    }
    byte[] b = new byte[16];
    for (int i = 0; i < 16; i++) {
      b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
