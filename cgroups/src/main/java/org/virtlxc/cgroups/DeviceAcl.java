package org.virtlxc.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.virtlxc.domainxml.model.Capabilities;
import org.virtlxc.domainxml.model.Clock;
import org.virtlxc.domainxml.model.Devices;
import org.virtlxc.domainxml.model.Disk;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.Filesystem;
import org.virtlxc.domainxml.model.Hostdev;
import org.virtlxc.domainxml.model.Timer;

/**
 * The device allow-list of a domain, in the order libvirt's {@code virLXCCgroupSetupDeviceACL} writes it: the standard
 * container devices; "m" on every device when {@code <features><capabilities><mknod state='on'/>} keeps CAP_MKNOD;
 * block {@code <disk>}s ("r" or "rw", plus "m"); {@code <filesystem type='block'>} sources ("r" or "rw"); hostdevs
 * (USB by bus/device address, capabilities storage and misc: "rwm"); then {@code <clock><timer>} rtc and hpet ("r",
 * only when the node exists on the host, as libvirt skips missing ones).
 */
public final class DeviceAcl {
  private final Path devRoot;

  /** Resolves timer device nodes under {@code devRoot} ("/dev" on a real host). */
  public DeviceAcl(Path devRoot) {
    this.devRoot = devRoot;
  }

  /** The rules for {@code d}; a named device node that is missing or not a device is a configuration error. */
  public List<DeviceRule> rules(Domain d) throws CgroupException {
    List<DeviceRule> rules = new ArrayList<>(DeviceRule.CONTAINER_DEFAULTS);
    if (keepsMknod(d)) {
      rules.add(new DeviceRule('b', -1, -1, "m"));
      rules.add(new DeviceRule('c', -1, -1, "m"));
    }
    Devices devices = d.devices();
    if (devices != null) {
      for (Disk disk : devices.disks()) {
        String dev = disk.source() == null ? null : blankToNull(disk.source().dev());
        if ("block".equals(disk.type()) && dev != null) {
          rules.add(rule(dev, (disk.readonly() != null ? "r" : "rw") + "m", "<disk><source dev>"));
        }
      }
      for (Filesystem fs : devices.filesystems()) {
        String dev = fs.source() == null ? null : blankToNull(fs.source().dev());
        if ("block".equals(fs.type()) && dev != null) {
          rules.add(rule(dev, fs.readonly() != null ? "r" : "rw", "<filesystem type='block'><source dev>"));
        }
      }
      for (Hostdev h : devices.hostdevs()) {
        String node = hostdevNode(h);
        if (node != null) {
          rules.add(rule(node, "rwm", "<hostdev type='" + h.type() + "'> source"));
        }
      }
    }
    Clock clock = d.clock();
    if (clock != null) {
      for (Timer t : clock.timers()) {
        String node = "rtc".equals(t.name()) ? "rtc0" : "hpet".equals(t.name()) ? "hpet" : null;
        if (node != null && !"no".equals(t.present()) && Files.exists(devRoot.resolve(node))) {
          rules.add(rule(devRoot.resolve(node).toString(), "r", "<clock><timer name='" + t.name() + "'>"));
        }
      }
    }
    return rules;
  }

  private static boolean keepsMknod(Domain d) {
    Capabilities caps = d.features() == null ? null : d.features().capabilities();
    return caps != null && caps.entries().stream().anyMatch(e -> e.name().equals("mknod") && "on".equals(e.state()));
  }

  /** The host node a hostdev hands to the container, or null for kinds that need none (net). */
  private static String hostdevNode(Hostdev h) throws CgroupException {
    if (h.source() == null) {
      return null;
    }
    if ("capabilities".equals(h.mode()) && "storage".equals(h.type())) {
      return blankToNull(h.source().block());
    }
    if ("capabilities".equals(h.mode()) && "misc".equals(h.type())) {
      return blankToNull(h.source().charDevice());
    }
    if (!"capabilities".equals(h.mode()) && "usb".equals(h.type())) {
      if (h.source().address() == null) {
        throw CgroupException.config("unable to allow <hostdev type='usb'>: only a <source><address bus device> "
            + "is supported, not a vendor/product match");
      }
      try {
        return String.format("/dev/bus/usb/%03d/%03d", Integer.parseInt(h.source().address().bus().trim()),
            Integer.parseInt(h.source().address().device().trim()));
      } catch (RuntimeException e) {
        throw CgroupException.config("unable to allow <hostdev type='usb'>: bad <address bus='"
            + h.source().address().bus() + "' device='" + h.source().address().device() + "'>");
      }
    }
    return null;
  }

  private static DeviceRule rule(String node, String access, String element) throws CgroupException {
    DeviceNumber n;
    try {
      n = DeviceNumber.of(Path.of(node.trim()));
    } catch (CgroupException e) {
      throw new CgroupException(e.code(), "invalid " + element + " '" + node.trim() + "': " + e.getMessage(), e);
    }
    return new DeviceRule(n.block() ? 'b' : 'c', n.major(), n.minor(), access);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
