package org.virtlxc.tests.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An LXC 5 container ({@code lxc} from Debian) with the same busybox root and {@code memtouch MIB} as init, in a
 * private LXC path, checkpointed with {@code lxc-checkpoint}. LXC runs {@code criu} from PATH: a private directory
 * links it to virt-lxc's CRIU. Restore needs CRIU's {@code mntns-compat-mode} (criu issue 2381), given only to the
 * restore through a private CRIU config file ({@code CRIU_CONFIG_FILE}).
 */
final class LxcContainer {
  private final String name;
  private final Path lxcPath;
  private final Path logs;
  private final int mib;
  private final Map<String, String> env;
  private final Map<String, String> restoreEnv;

  LxcContainer(String name, Path base, Path rootfs, int mib, Path criu, Cleanup cleanup) throws Exception {
    this.name = name;
    this.mib = mib;
    this.lxcPath = Files.createDirectories(base.resolve("lxc"));
    this.logs = base;
    Path bin = Files.createDirectories(base.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("criu"), criu);
    Path conf = base.resolve("criu-restore.conf");
    Files.writeString(conf, "mntns-compat-mode\n");
    String path = bin + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    this.env = Map.of("PATH", path);
    this.restoreEnv = Map.of("PATH", path, "CRIU_CONFIG_FILE", conf.toString());
    Path dir = Files.createDirectories(lxcPath.resolve(name));
    Files.writeString(dir.resolve("config"), "lxc.uts.name = " + name + "\n"
        + "lxc.rootfs.path = dir:" + rootfs + "\n"
        + "lxc.init.cmd = /memtouch " + mib + "\n"
        + "lxc.net.0.type = empty\n"
        + "lxc.console.path = none\n"
        + "lxc.tty.max = 0\n"
        + "lxc.pty.max = 0\n"
        + "lxc.mount.auto = proc:mixed sys:mixed\n"
        + "lxc.autodev = 1\n");
    cleanup.add("stop LXC container " + name, () -> {
      if (!state().equals("STOPPED")) {
        Host.run(List.of("lxc-stop", "-P", lxcPath.toString(), "-n", name, "-k"), env, logs.resolve("lxc.log"));
      }
    });
  }

  void startAndFill() throws Exception {
    Host.runOk(List.of("lxc-start", "-P", lxcPath.toString(), "-n", name, "-d", "-o", logs.resolve("lxc.log")
        .toString()), env, logs.resolve("lxc.out"));
    awaitFilled();
  }

  /** {@code lxc-checkpoint -s}: dump and stop; nanoseconds. */
  long dump(Path dir) throws Exception {
    long t0 = System.nanoTime();
    Host.runOk(List.of("lxc-checkpoint", "-P", lxcPath.toString(), "-n", name, "-s", "-D", dir.toString(), "-o",
        logs.resolve("lxc.log").toString()), env, logs.resolve("lxc.out"));
    return System.nanoTime() - t0;
  }

  /** {@code lxc-checkpoint -r}: restore (returns once the container runs); nanoseconds. */
  long restore(Path dir) throws Exception {
    long t0 = System.nanoTime();
    Host.runOk(List.of("lxc-checkpoint", "-P", lxcPath.toString(), "-n", name, "-r", "-D", dir.toString(), "-o",
        logs.resolve("lxc.log").toString()), restoreEnv, logs.resolve("lxc.out"));
    long took = System.nanoTime() - t0;
    if (!state().equals("RUNNING")) {
      throw new IllegalStateException("LXC container " + name + " is " + state() + " after lxc-checkpoint -r");
    }
    awaitFilled();
    return took;
  }

  private void awaitFilled() throws Exception {
    Host.awaitResident(pid(), mib, "init of LXC container " + name);
  }

  private long pid() throws Exception {
    Path out = logs.resolve("lxc-info.out");
    Files.deleteIfExists(out);
    Host.runOk(List.of("lxc-info", "-P", lxcPath.toString(), "-n", name, "-p", "-H"), env, out);
    return Long.parseLong(Files.readString(out).strip());
  }

  private String state() throws Exception {
    Path out = logs.resolve("lxc-info.out");
    Files.deleteIfExists(out);
    Host.runOk(List.of("lxc-info", "-P", lxcPath.toString(), "-n", name, "-s", "-H"), env, out);
    return Files.readString(out).strip();
  }
}
