package org.virtlxc.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.domainxml.model.BlkioDevice;
import org.virtlxc.domainxml.model.BlkioTune;
import org.virtlxc.domainxml.model.CpuTune;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.MemTune;
import org.virtlxc.domainxml.model.NetInterface;
import org.virtlxc.domainxml.model.NumaMemory;
import org.virtlxc.domainxml.model.ScaledSize;

/**
 * Maps a domain definition onto {@link CgroupResources}, one method per XML block as libvirt's {@code lxc_cgroup.c}
 * does ({@code virLXCCgroupSetupMemTune}, {@code …CpuTune}, {@code …CpusetTune}, {@code …BlkioTune},
 * {@code …DeviceACL}). Block device paths are resolved to major:minor here, so this reads the host's /dev.
 */
public final class DomainCgroups {
  private static final Logger LOG = LogManager.getLogger(DomainCgroups.class);
  private DomainCgroups() {}

  /** The cgroup libvirtd expects for {@code domain} run by controller {@code controllerPid}. */
  public static MachineCgroup machine(Domain domain, long controllerPid) {
    String partition = domain.resource() == null ? null : domain.resource().partition();
    return MachineCgroup.of(partition, controllerPid, domain.name());
  }

  /**
   * Interface indexes of the host ends of {@code domain}'s veths (libvirt_lxc's {@code virLXCControllerGetNICIndexes}):
   * the {@code <target dev>} of each bridge, network or ethernet interface, read from {@code sysClassNet}
   * ("/sys/class/net"). Unlike libvirt, an index that cannot be read is left out instead of failing: only
   * systemd-machined uses the list, to show the machine's interfaces.
   */
  public static List<Integer> nicIndexes(Domain domain, Path sysClassNet) {
    List<Integer> indexes = new ArrayList<>();
    if (domain.devices() == null) {
      return indexes;
    }
    for (NetInterface n : domain.devices().interfaces()) {
      String dev = n.target() == null ? null : n.target().dev();
      if (dev == null || dev.isBlank() || dev.contains("/") || !List.of("bridge", "network", "ethernet")
          .contains(n.type())) {
        continue;
      }
      try {
        indexes.add(Integer.parseInt(Files.readString(sysClassNet.resolve(dev).resolve("ifindex")).trim()));
      } catch (IOException | NumberFormatException e) {
        LOG.warn("unable to read the interface index of {}: {}", dev, e.getMessage());
      }
    }
    return indexes;
  }

  /** Every resource control of {@code domain}; elements that are absent stay null (untouched). */
  public static CgroupResources resources(Domain domain) throws CgroupException {
    CgroupResources r = memory(CgroupResources.NONE, domain);
    r = cpu(r, domain.cputune());
    r = cpuset(r, domain);
    r = blkio(r, domain.blkiotune());
    return r.withDevices(devices(domain));
  }

  private static CgroupResources memory(CgroupResources r, Domain d) throws CgroupException {
    Long limit = bytes(d.memory(), "<memory>");
    MemTune t = d.memtune();
    if (t == null) {
      return r.withMemory(limit, null, null, null);
    }
    Long hard = bytes(t.hardLimit(), "<memtune><hard_limit>");
    return r.withMemory(hard != null ? hard : limit, bytes(t.softLimit(), "<memtune><soft_limit>"),
        bytes(t.swapHardLimit(), "<memtune><swap_hard_limit>"), bytes(t.minGuarantee(), "<memtune><min_guarantee>"));
  }

  private static CgroupResources cpu(CgroupResources r, CpuTune t) throws CgroupException {
    if (t == null) {
      return r;
    }
    return r.withCpu(number(t.shares(), "<cputune><shares>"), number(t.period(), "<cputune><period>"),
        number(t.quota(), "<cputune><quota>"));
  }

  private static CgroupResources cpuset(CgroupResources r, Domain d) throws CgroupException {
    String cpus = d.vcpu() == null ? null : blankToNull(d.vcpu().cpuset());
    String mems = null;
    NumaMemory m = d.numatune() == null ? null : d.numatune().memory();
    // Other modes (preferred, interleave) are a NUMA policy the controller sets itself, not a cpuset.
    if (m != null && !"auto".equals(m.placement()) && (m.mode() == null || m.mode().equals("strict")
        || m.mode().equals("restrictive"))) {
      mems = blankToNull(m.nodeset());
    }
    return r.withCpuset(kernelList(cpus, "<vcpu cpuset>"), kernelList(mems, "<numatune><memory nodeset>"));
  }

  private static CgroupResources blkio(CgroupResources r, BlkioTune t) throws CgroupException {
    if (t == null) {
      return r;
    }
    List<BlkioDeviceLimit> devices = new ArrayList<>();
    for (BlkioDevice d : t.devices()) {
      String e = "<blkiotune><device>";
      if (d.path() == null || d.path().isBlank()) {
        throw CgroupException.config("invalid " + e + ": missing <path>");
      }
      Long weight = number(d.weight(), e + "<weight>");
      devices.add(new BlkioDeviceLimit(d.path(), DeviceNumber.of(Path.of(d.path().trim())),
          weight == null ? null : weight.intValue(), number(d.readBytesSec(), e + "<read_bytes_sec>"),
          number(d.writeBytesSec(), e + "<write_bytes_sec>"), number(d.readIopsSec(), e + "<read_iops_sec>"),
          number(d.writeIopsSec(), e + "<write_iops_sec>")));
    }
    Long weight = number(t.weight(), "<blkiotune><weight>");
    return r.withBlkio(weight == null ? null : (int) Math.min(weight, Integer.MAX_VALUE),
        devices.isEmpty() ? null : devices);
  }

  /** The device allow-list libvirt would write for {@code d} (see {@link DeviceAcl}). */
  static List<DeviceRule> devices(Domain d) throws CgroupException {
    return new DeviceAcl(Path.of("/dev")).rules(d);
  }

  private static Long bytes(ScaledSize size, String element) throws CgroupException {
    if (size == null || size.value().isEmpty()) {
      return null;
    }
    try {
      return size.kib("KiB") * 1024;   // libvirt keeps memory in KiB, rounding up
    } catch (RuntimeException e) {
      throw CgroupException.config("unable to parse " + element + " '" + size + "': " + e.getMessage());
    }
  }

  private static Long number(String s, String element) throws CgroupException {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw CgroupException.config("unable to parse " + element + " '" + s.trim() + "': not an integer");
    }
  }

  /** libvirt's "0-3,^2" as the kernel reads it ("0-1,3"); a list naming nothing is left for the validator. */
  private static String kernelList(String list, String element) throws CgroupException {
    if (list == null) {
      return null;
    }
    java.util.BitSet set = CpuList.parse(list, element);
    return set.isEmpty() ? list : CpuList.format(set);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
