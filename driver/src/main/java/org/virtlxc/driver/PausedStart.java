package org.virtlxc.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.cgroups.CgroupLayout;

/**
 * A plain {@code virsh start} of a domain whose managed save was taken paused brings it back paused, as it does for
 * QEMU domains. CRIU left the restored tree stopped (SIGSTOP); once libvirtd has the domain, libvirt's own suspend
 * freezes the machine cgroup (so libvirt shows it paused), and only then does SIGCONT end the stop: nothing of the
 * container runs in between, and it runs on when libvirt resumes it. If the suspend fails the tree is continued anyway,
 * so that it never stays stopped under a domain libvirt shows running.
 *
 * <p>The suspend freezes this controller too (it lives in the machine cgroup, as libvirt_lxc does), so a small shell
 * does the work: it first moves itself back to the freezer cgroup the controller came from, runs {@code virsh suspend}
 * (retried while libvirtd still finishes the start job) and then sends SIGCONT. Its messages go to the controller's
 * log.
 */
final class PausedStart {
  private static final Logger LOG = LogManager.getLogger(PausedStart.class);
  private static final String SCRIPT = "out=$1 name=$2 virsh=$3; shift 3\n"
      + "[ -n \"$out\" ] && echo $$ > \"$out\"\n"
      + "i=0\n"
      + "until err=$(\"$virsh\" -q -c lxc:///system suspend \"$name\" 2>&1 >/dev/null); do\n"
      + "  i=$((i+1))\n"
      + "  if [ $i -ge 150 ]; then echo \"virt-lxc: unable to pause $name (it runs): $err\" >&2; break; fi\n"
      + "  sleep 0.2\n"
      + "done\n"
      + "kill -CONT \"$@\"\n";

  private PausedStart() {}

  /** Whether this start of {@code pending} is to come back paused with the controller pausing it (see above). */
  static boolean wanted(String runState, boolean leaveStopped) {
    return "paused".equals(runState) && !leaveStopped; // leaveStopped: the caller (virt-lxc) pauses it itself
  }

  /** Starts pausing the domain {@code name} whose stopped tree has init {@code initPid}; does not wait. */
  static void begin(String name, long initPid, CgroupLayout layout) {
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "virt-lxc-paused-start",
        outsideFreezer(layout).map(Path::toString).orElse(""), name, virsh(), Long.toString(initPid)));
    ProcessHandle.of(initPid).ifPresent(h -> h.descendants().forEach(d -> cmd.add(Long.toString(d.pid()))));
    try {
      new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      LOG.info("pausing {} as its managed save was taken paused ({} stopped processes)", name, cmd.size() - 7);
    } catch (IOException e) {
      LOG.warn("unable to pause {} (it is continued): {}", name, e.getMessage());
      ProcessHandle.of(initPid).ifPresent(h -> {
        List<String> cont = new ArrayList<>(cmd.subList(7, cmd.size()));
        cont.add(0, "-CONT");
        cont.add(0, "kill");
        try {
          new ProcessBuilder(cont).inheritIO().start();
        } catch (IOException ex) {
          LOG.error("unable to continue the stopped processes of {}: {}", name, ex.getMessage());
        }
      });
    }
  }

  /**
   * The {@code cgroup.procs} of the cgroup this process came from in the hierarchy that freezes (v1 freezer, else v2),
   * outside the machine cgroup the suspend freezes; empty when there is none.
   */
  static Optional<Path> outsideFreezer(CgroupLayout layout) {
    for (var e : layout.placement().entrySet()) {
      String key = e.getKey();
      boolean freezes = key.isEmpty() ? layout.v1Mount("freezer") == null : List.of(key.split(",")).contains("freezer");
      Path mount = key.isEmpty() ? layout.v2Mount() : layout.v1Mount("freezer");
      if (freezes && mount != null) {
        return Optional.of(mount.resolve(e.getValue().replaceFirst("^/+", "")).resolve("cgroup.procs"));
      }
    }
    return Optional.empty();
  }

  private static String virsh() {
    return Files.isExecutable(Path.of("/usr/bin/virsh")) ? "/usr/bin/virsh" : "virsh";
  }
}
