package org.virtlxc.nssetup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.virtlxc.domainxml.model.Capabilities;
import org.virtlxc.domainxml.model.Devices;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.Features;
import org.virtlxc.domainxml.model.Filesystem;
import org.virtlxc.domainxml.model.IdRange;
import org.virtlxc.domainxml.model.InitEnv;
import org.virtlxc.domainxml.model.LxcNamespace;
import org.virtlxc.domainxml.model.NamespaceShare;
import org.virtlxc.domainxml.model.Os;
import org.virtlxc.domainxml.model.SizeUnit;

/**
 * Maps a libvirt LXC domain onto a {@link LaunchPlan} the way libvirt_lxc lays out a container
 * ({@code lxc_container.c}): namespaces ({@code lxcContainerStart}), root and filesystems,
 * standard mounts and /dev, hostname, capability policy ({@code lxcContainerDropCapabilities})
 * and init's argv/env/cwd/user ({@code lxcContainerBuildInitCmd}).
 *
 * <p>Not mapped here (the controller adds them): the console tty, which the controller allocates;
 * namespace fds for {@code <lxc:namespace>} sharing, which libvirtd passes; interfaces.
 */
public final class PlanFromDomain {
  /**
   * Capabilities libvirt_lxc drops under policy 'default' unless switched on. sys_boot is not among them: libvirt_lxc
   * keeps it, even when switched off, whenever the kernel lets reboot() end a pid namespace (Linux 3.4 on).
   */
  public static final Set<String> DEFAULT_DROPS =
      Set.of("sys_module", "sys_time", "mknod", "audit_control", "mac_admin");

  private PlanFromDomain() {}

  /** The plan for {@code domain} when it shares no namespace; no console. */
  public static LaunchPlan plan(Domain domain) throws LaunchPlanException {
    return builder(domain, Map.of()).build();
  }

  /**
   * A builder preset from {@code domain}, for the caller to add the console and build.
   *
   * @param sharedNamespaceFds fds libvirtd passed for {@code <lxc:namespace>} sharing (--share-net etc.),
   *     keyed by namespace kind; each shared namespace in the XML must have one
   */
  public static LaunchPlan.Builder builder(Domain domain, Map<Namespace, Integer> sharedNamespaceFds)
      throws LaunchPlanException {
    try {
      return map(domain, sharedNamespaceFds);
    } catch (IllegalArgumentException e) {
      throw new LaunchPlanException("unable to build the launch plan of domain " + domain.name() + ": "
          + e.getMessage(), e);
    }
  }

  private static LaunchPlan.Builder map(Domain d, Map<Namespace, Integer> sharedFds) throws LaunchPlanException {
    String name = d.name();
    LaunchPlan.Builder b = LaunchPlan.builder();
    Devices devices = d.devices();
    Features features = d.features();

    // Namespaces, as lxcContainerStart chooses its clone flags.
    b.create(Namespace.PID, Namespace.MOUNT);
    Map<Namespace, Boolean> shared = sharedNamespaces(d.lxcNamespace());
    for (Map.Entry<Namespace, Boolean> s : shared.entrySet()) {
      if (s.getValue()) {
        Integer fd = sharedFds.get(s.getKey());
        if (fd == null) {
          throw new LaunchPlanException("unable to share the " + s.getKey().name().toLowerCase(Locale.ROOT)
              + " namespace of domain " + name + ": no namespace fd was passed");
        }
        b.join(s.getKey(), fd);
      }
    }
    if (!shared.get(Namespace.UTS)) {
      b.create(Namespace.UTS);
    }
    if (!shared.get(Namespace.IPC)) {
      b.create(Namespace.IPC);
    }
    boolean privateNet = devices != null && !devices.interfaces().isEmpty()
        || features != null && features.privnet() != null
        || devices != null && devices.hostdevs().stream().anyMatch(h -> "capabilities".equals(h.mode()) && "net".equals(h.type()));
    if (privateNet && shared.get(Namespace.NET)) {
      throw new LaunchPlanException("unable to share the net namespace of domain " + name
          + ": <lxc:sharenet> cannot be combined with private network interfaces (<interface>, <privnet/>"
          + " or a net <hostdev>)");
    }
    if (privateNet) {
      b.create(Namespace.NET);
    }
    boolean userns = d.idmap() != null && !d.idmap().uids().isEmpty() && !d.idmap().gids().isEmpty();
    if (userns) {
      b.create(Namespace.USER);
      for (IdRange r : d.idmap().uids()) {
        b.uidMap(idMapping("uid", r));
      }
      for (IdRange r : d.idmap().gids()) {
        b.gidMap(idMapping("gid", r));
      }
    }

    // Root and other filesystems.
    b.standardFilesystems();
    String root = "/";
    if (devices != null) {
      for (Filesystem fs : devices.filesystems()) {
        String type = fs.type() == null ? "mount" : fs.type();
        String target = fs.target() == null ? null : fs.target().dir();
        boolean ro = fs.readonly() != null;
        if (target == null) {
          throw new LaunchPlanException("unable to mount <filesystem type='" + type + "'> of domain " + name
              + ": it has no <target dir>");
        }
        switch (type) {
          case "mount", "bind" -> {
            String source = fs.source() == null ? null : fs.source().dir();
            if (source == null) {
              throw new LaunchPlanException("unable to mount " + target + " of domain " + name
                  + ": <filesystem type='" + type + "'> has no <source dir>");
            }
            if (target.equals("/")) {
              b.root(source, ro);
              root = source;
            } else {
              b.mount(MountSpec.bind(source, target, ro));
            }
          }
          case "ram" -> {
            if (fs.source() == null || fs.source().usage() == null) {
              throw new LaunchPlanException("unable to mount " + target + " of domain " + name
                  + ": <filesystem type='ram'> has no <source usage>");
            }
            String units = fs.source().units() == null ? "KiB" : fs.source().units();
            b.mount(MountSpec.tmpfs(target, SizeUnit.toBytes(fs.source().usage(), units), ro));
          }
          default -> throw new LaunchPlanException("unable to mount " + target + " of domain " + name
              + ": <filesystem type='" + type + "'> is unsupported (only mount, bind and ram are)");
        }
      }
    }

    // libvirt_lxc sets the hostname also in a shared uts namespace (lxcContainerSetHostname is unconditional), so
    // the domain that shares it renames the other one's host.
    String host = hostname(name);
    if (!host.isEmpty()) {
      b.hostname(host);
    }
    capabilities(b, features == null ? null : features.capabilities());

    // init: argv, env, cwd, user (lxcContainerBuildInitCmd).
    Os os = d.os();
    String init = os == null || os.init() == null ? "/sbin/init" : os.init();
    b.argv(concat(init, os == null ? List.of() : os.initargs()));
    b.env("container", "lxc-libvirt");
    b.env("PATH", "/bin:/sbin");
    b.env("TERM", "linux");
    b.env("HOME", "/");
    if (d.uuid() != null) {
      b.env("container_uuid", d.uuid());
      b.env("LIBVIRT_LXC_UUID", d.uuid());
    }
    b.env("LIBVIRT_LXC_NAME", name);
    if (os != null) {
      for (InitEnv e : os.initenvs()) {
        b.env(e.name(), e.value());
      }
      if (os.initdir() != null) {
        b.cwd(os.initdir());
      }
    }
    if (os != null && os.inituser() != null) {
      b.uid(resolveId(root, "etc/passwd", "user", os.inituser()));
    } else if (userns) {
      b.uid(0);
    }
    if (os != null && os.initgroup() != null) {
      b.gid(resolveId(root, "etc/group", "group", os.initgroup()));
    } else if (userns) {
      b.gid(0);
    }
    return b;
  }

  /** The domain name restricted to [A-Za-z0-9-], leading '-' removed (libvirt_lxc's hostname). */
  public static String hostname(String domainName) {
    String h = domainName.replaceAll("[^A-Za-z0-9-]", "");
    return h.replaceFirst("^-+", "");
  }

  private static Map<Namespace, Boolean> sharedNamespaces(LxcNamespace ns) {
    Map<Namespace, Boolean> m = new EnumMap<>(Namespace.class);
    m.put(Namespace.NET, ns != null && isShared(ns.sharenet()));
    m.put(Namespace.IPC, ns != null && isShared(ns.shareipc()));
    m.put(Namespace.UTS, ns != null && isShared(ns.shareuts()));
    return m;
  }

  private static boolean isShared(NamespaceShare s) {
    return s != null && s.type() != null;
  }

  private static IdMapping idMapping(String what, IdRange r) throws LaunchPlanException {
    try {
      return new IdMapping(Long.parseLong(r.start()), Long.parseLong(r.target()), Long.parseLong(r.count()));
    } catch (NumberFormatException | NullPointerException e) {
      throw new LaunchPlanException("unable to map <idmap><" + what + " start='" + r.start() + "' target='"
          + r.target() + "' count='" + r.count() + "'>: ids must be numbers", e);
    }
  }

  /** Applies lxcContainerDropCapabilities' policy: default, allow or deny, with per-capability overrides. */
  private static void capabilities(LaunchPlan.Builder b, Capabilities caps) throws LaunchPlanException {
    String policy = caps == null || caps.policy() == null ? "default" : caps.policy();
    Map<String, String> state = new java.util.HashMap<>();
    if (caps != null) {
      for (Capabilities.Entry e : caps.entries()) {
        String n = e.name().toLowerCase(Locale.ROOT);
        try {
          Capability.number(n);
        } catch (IllegalArgumentException ex) {
          throw new LaunchPlanException("unable to apply <features><capabilities>: unknown capability '" + e.name() + "'");
        }
        state.put(n, e.state() == null ? "on" : e.state());
      }
    }
    for (String cap : Capability.names()) {
      String s = state.get(cap);
      boolean drop = switch (policy) {
        case "deny" -> !"on".equals(s);
        case "allow" -> "off".equals(s);
        // sys_boot: libvirt_lxc keeps it under 'default' even when switched off (reboot works in a pid namespace).
        case "default" -> !cap.equals("sys_boot") && (DEFAULT_DROPS.contains(cap) ? !"on".equals(s) : "off".equals(s));
        default -> throw new LaunchPlanException("unable to apply <features><capabilities policy='" + policy
            + "'>: the policy must be default, allow or deny");
      };
      if (drop) {
        b.dropCapability(cap);
      }
    }
  }

  /** A numeric id, or a name looked up in the container root's etc/passwd or etc/group. */
  private static long resolveId(String root, String file, String what, String value) throws LaunchPlanException {
    if (value.matches("\\+?[0-9]+")) {
      return Long.parseLong(value.replace("+", ""));
    }
    Path db = Path.of(root).resolve(file);
    try {
      for (String line : Files.readAllLines(db, StandardCharsets.UTF_8)) {
        String[] f = line.split(":", -1);
        if (f.length > 2 && f[0].equals(value)) {
          return Long.parseLong(f[2]);
        }
      }
    } catch (NoSuchFileException e) {
      // fall through to the error below
    } catch (IOException | NumberFormatException e) {
      throw new LaunchPlanException("unable to look up init " + what + " '" + value + "' in " + db + ": " + e.getMessage(), e);
    }
    throw new LaunchPlanException("unable to find init " + what + " '" + value + "' in " + db);
  }

  private static List<String> concat(String first, List<String> rest) {
    java.util.ArrayList<String> l = new java.util.ArrayList<>();
    l.add(first);
    l.addAll(rest);
    return l;
  }
}
