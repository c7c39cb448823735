package org.virtlxc.cgroups;

import java.util.Arrays;
import java.util.List;

/**
 * The domain's cgroup as libvirt makes it on hosts without systemd-machined:
 * {@code <partition directories>/<machineName>.libvirt-lxc}, the same path from the root of every hierarchy. The
 * partition's directories carry libvirt's ".partition" suffix and '_' escapes ({@link PartitionNames}): partition
 * "/machine/tenant" is the directory "/machine/tenant.partition".
 *
 * @param partition   absolute partition path as the domain XML names it, e.g. "/machine" (libvirt's default)
 * @param machineName "lxc-&lt;controller pid&gt;-&lt;filtered name&gt;" (see {@link #machineName(long, String)})
 */
public record MachineCgroup(String partition, String machineName) {

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

  /** The last path component: "&lt;machineName&gt;.libvirt-lxc" (escaped as libvirt would, never in practice). */
  public String dirName() {
    return PartitionNames.escape(machineName + ".libvirt-lxc", PartitionNames.hostControllerNames());
  }

  /** The partition's directories, top first ("/machine/a" → [machine, a.partition]). */
  public List<String> partitionComponents() {
    return PartitionNames.directories(partition, PartitionNames.hostControllerNames());
  }

  /** The full path from a hierarchy's root, e.g. "/machine/lxc-42-web.libvirt-lxc". */
  public String path() {
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
