package org.virtlxc.checkpoint.criu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CRIU command lines for a whole container. Options common to dump and restore (as LXC passes them): established
 * TCP connections, file locks, unlinked-but-open files, host mounts detected and shared/slave propagation accepted;
 * cgroups are left alone ({@code --manage-cgroups=ignore}) because the controller creates the machine cgroup and
 * runs the restore from inside it. Freezing is CRIU's own (ptrace seize): the domain's freezer cgroup also holds the
 * controller, which must keep serving libvirtd and the console during the dump.
 */
public final class CriuCommands {
  /** Log level 4 (debug): the log is the only diagnosis of a failed dump or restore. */
  private static final String VERBOSITY = "-v4";

  private CriuCommands() {}

  private static List<String> common() {
    return List.of("--manage-cgroups=ignore", "--ext-mount-map", "auto", "--enable-external-sharing",
        "--enable-external-masters", "--tcp-established", "--file-locks", "--link-remap");
  }

  /** {@code criu dump} of the tree rooted at {@code initPid} into {@code imageDir}, log {@code dump.log} there. */
  public static List<String> dump(long initPid, Path imageDir, CriuExternals externals, boolean leaveRunning,
      List<String> extra) {
    List<String> a = new ArrayList<>(List.of("dump", "-t", Long.toString(initPid), "-D", imageDir.toString(),
        "-o", "dump.log", VERBOSITY));
    a.addAll(common());
    a.addAll(externals.dumpArgs());
    if (leaveRunning) {
      a.add("--leave-running");
    }
    a.addAll(extra);
    return a;
  }

  /**
   * {@code criu restore} from {@code imageDir} (log {@code restore.log} there) onto {@code root}, detached, the restored
   * init a sibling of CRIU (i.e. a child of CRIU's parent), its host pid written to {@code pidFile}.
   */
  public static List<String> restore(Path imageDir, Path root, Path pidFile, List<String> externalArgs) {
    List<String> a = new ArrayList<>(List.of("restore", "-D", imageDir.toString(), "-o", "restore.log", VERBOSITY,
        "--root", root.toString(), "--restore-detached", "--restore-sibling", "--pidfile", pidFile.toString()));
    a.addAll(common());
    a.addAll(externalArgs);
    return a;
  }
}
