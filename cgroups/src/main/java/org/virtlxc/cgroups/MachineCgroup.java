package org.virtlxc.cgroups;

import java.util.Arrays;
import java.util.List;

/**
 * The domain's cgroup as libvirt makes it on hosts without systemd-machined:
 * {@code <partition directories>/<machineName>.libvirt-lxc}, the same path from the root of every hierarchy. The
 * partition's directories carry libvirt's ".partition" suffix and '_' escapes ({@link PartitionNames}): partition
 * "/machine/tenant" is the directory "/machine/tenant.partition".
 *
 * <p>On hosts where the machine is registered with systemd-machined, the cgroup is instead the scope machined made,
 * e.g. "/machine.slice/machine-lxc\x2d42\x2dweb.scope" ({@link #inScope}); libvirtd finds it from the controller's pid.
 *
 * @param partition   absolute partition path as the domain XML names it, e.g. "/machine" (libvirt's default)
 * @param machineName "lxc-&lt;controller pid&gt;-&lt;filtered name&gt;" (see {@link #machineName(long, String)})
 * @param scope       the machined scope's path from a hierarchy's root, or null for libvirt's manual layout
 */
public record MachineCgroup(String partition, String machineName, String scope) {

  /** libvirt's default {@code <resource><partition>}. */
  public static final String DEFAULT_PARTITION = "/machine";

  public MachineCgroup {
    if (partition == null || partition.isEmpty()) {
      partition = DEFAULT_PARTITION;
    }
    if (!partition.startsWith("/")) {
      throw new IllegalArgumentException("resource partition '" + partition + "' must be an absolute path");
    }
    for (String c : components(partition)) {
      // "." and ".." are safe: libvirt escapes them to "_." and "_..".
      if (c.isEmpty() || c.equals("process_api")) {
        throw new IllegalArgumentException("resource partition '" + partition + "' has an invalid component '" + c + "'");
      }
    }
    if (machineName == null || machineName.isEmpty() || machineName.contains("/")) {
      throw new IllegalArgumentException("invalid machine name '" + machineName + "'");
    }
    if (scope != null) {
      List<String> c = components(scope);
      if (!scope.startsWith("/") || c.isEmpty() || c.stream().anyMatch(x -> x.isEmpty() || x.equals(".")
          || x.equals("..") || x.equals("process_api"))) {
        throw new IllegalArgumentException("invalid machine scope cgroup '" + scope + "'");
      }
    }
  }

  /** The manual layout's cgroup (no machined scope). */
  public MachineCgroup(String partition, String machineName) {
    this(partition, machineName, null);
  }

  /** This machine's cgroup as the machined scope at {@code scopePath} ("/machine.slice/machine-….scope"). */
  public MachineCgroup inScope(String scopePath) {
    return new MachineCgroup(partition, machineName, scopePath);
  }

  /** Whether this is a machined scope rather than libvirt's manual layout. */
  public boolean isScope() {
    return scope != null;
  }

  /** The cgroup of LXC domain {@code name} whose controller has pid {@code controllerPid}. */
  public static MachineCgroup of(String partition, long controllerPid, String name) {
    return new MachineCgroup(partition, machineName(controllerPid, name));
  }

  /**
   * libvirt's {@code virDomainDriverGenerateMachineName("lxc", NULL, pid, name, true)}: "lxc-PID-" then the name's
   * characters in [A-Za-z0-9-.], dropping any other, keeping only the first of a run of '.'/'-' and none at the start,
   * stopping once the whole name reaches 64 characters, and trimming trailing '.'/'-'.
   */
  public static String machineName(long controllerPid, String name) {
    StringBuilder b = new StringBuilder("lxc-").append(controllerPid).append('-');
    boolean skip = true;
    for (char c : name.toCharArray()) {
      if (b.length() >= 64) {
        break;
      }
      if (c == '.' || c == '-') {
        if (!skip) {
          b.append(c);
          skip = true;
        }
        continue;
      }
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        b.append(c);
        skip = false;
      }
    }
    int end = b.length();
    while (end > 0 && (b.charAt(end - 1) == '-' || b.charAt(end - 1) == '.')) {
      end--;
    }
    return b.substring(0, end);
  }

  /**
   * The last path component: "&lt;machineName&gt;.libvirt-lxc" (escaped as libvirt would, never in practice), or the
   * scope's unit name.
   */
  public String dirName() {
    if (scope != null) {
      List<String> c = components(scope);
      return c.get(c.size() - 1);
    }
    return PartitionNames.escape(machineName + ".libvirt-lxc", PartitionNames.hostControllerNames());
  }

  /** The partition's directories, top first ("/machine/a" → [machine, a.partition]), or the scope's parents. */
  public List<String> partitionComponents() {
    if (scope != null) {
      List<String> c = components(scope);
      return List.copyOf(c.subList(0, c.size() - 1));
    }
    return PartitionNames.directories(partition, PartitionNames.hostControllerNames());
  }

  /** The full path from a hierarchy's root, e.g. "/machine/lxc-42-web.libvirt-lxc". */
  public String path() {
    if (scope != null) {
      return scope;
    }
    StringBuilder b = new StringBuilder();
    for (String dir : partitionComponents()) {
      b.append('/').append(dir);
    }
    return b.append('/').append(dirName()).toString();
  }

  private static List<String> components(String partition) {
    String p = partition.replaceAll("/+$", "");
    return p.isEmpty() ? List.of() : Arrays.asList(p.substring(1).split("/", -1));
  }
}
