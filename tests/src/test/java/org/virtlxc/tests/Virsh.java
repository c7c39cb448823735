package org.virtlxc.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Stock {@code virsh -c lxc:///}, run as a process, as an operator would. */
public final class Virsh {
  public static final String URI = "lxc:///";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Virsh() {}

  /** What one virsh run printed and how it ended. */
  public record Result(int status, String out, String err) {
    /** Fails with virsh's own error text unless it succeeded. */
    public Result ok() {
      if (status != 0) {
        throw new AssertionError("virsh failed with status " + status + ": " + err.strip());
      }
      return this;
    }

    /**
     * Whether this failed lxc-enter-namespace only because libvirtd has not yet handled the controller's INIT event:
     * "Init pid is not yet available" on a domain's first run, or, on a later run, "Expected at least one file
     * descriptor" (libvirtd still holds the previous run's init pid, whose namespaces are gone). Worth retrying.
     */
    public boolean initPidNotYetKnown() {
      return status != 0 && (err.contains("Init pid is not yet available")
          || err.contains("Expected at least one file descriptor"));
    }
  }

  /**
   * Runs {@code virsh -c lxc:/// ARGS...} and waits for it (60 s at most); once more after 2 s when libvirtd was not
   * there (another engineer's test may restart it briefly).
   */
  public static Result run(String... args) {
    return runOn(URI, args);
  }

  /** As {@link #run} against another libvirtd, e.g. a {@link SimulatedHost}'s {@code lxc:///system?socket=…}. */
  public static Result runOn(String uri, String... args) {
    Result r = runOnce(uri, args);
    if (r.status() != 0 && r.err().contains("Failed to connect socket")) {
      sleep2s();
      r = runOnce(uri, args);
    }
    return r;
  }

  static void sleep2s() {
    try {
      Thread.sleep(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static Result runOnce(String uri, String... args) {
    List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", uri));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      var out = p.getInputStream().readAllBytes();
      var err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("virsh " + String.join(" ", args) + " did not finish in " + TIMEOUT);
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("unable to run virsh", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running virsh", e);
    }
  }

  /** Names of every defined or running domain. */
  public static List<String> allDomainNames() {
    return run("list", "--all", "--name").ok().out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /**
   * Stops and undefines {@code name} if it exists; quiet when it does not. Retries for up to two minutes while the
   * domain still exists: on a loaded machine a {@code virsh start} the test gave up on may still be running (it holds
   * libvirtd's state-change lock, so destroy fails) and would otherwise bring the domain up after the test is gone.
   */
  public static void destroyAndUndefine(String name) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      run("destroy", name);
      run("undefine", name);
      Result info = run("dominfo", name);
      if (info.status() != 0 && !info.err().contains("Failed to connect socket")) {
        removeEmptyMachineCgroups(name);
        removeStockControllerLeftovers(name);
        return; // gone
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("domain " + name + " could not be destroyed and undefined: " + info.out().strip());
      }
      sleep2s();
    }
  }

  /**
   * Output of {@code command} run inside the domain through {@code virsh lxc-enter-namespace}; retried while libvirtd
   * does not know the new init pid yet (the INIT event may arrive after {@code virsh start} returns). Fails the test when
   * the command fails.
   */
  public static String inside(String name, String... command) throws InterruptedException {
    List<String> args = new ArrayList<>(List.of("lxc-enter-namespace", name, "--noseclabel"));
    args.addAll(List.of(command));
    Result r = run(args.toArray(String[]::new));
    for (int i = 0; i < 100 && r.initPidNotYetKnown(); i++) {
      Thread.sleep(200);
      r = run(args.toArray(String[]::new));
    }
    if (r.status() != 0) {
      throw new AssertionError("in " + name + ": " + String.join(" ", command) + " failed: " + r.err().strip());
    }
    return r.out();
  }

  /** The domain's state ({@code virsh domstate}) once it is {@code state}, or the last one seen after about 10 s. */
  public static String awaitState(String name, String state) throws InterruptedException {
    String s = "";
    for (int i = 0; i < 100; i++) {
      s = run("domstate", name).ok().out().strip();
      if (s.equals(state)) {
        return s;
      }
      Thread.sleep(100);
    }
    return s;
  }

  /** The pid of the running domain's controller, from libvirtd's pid file. */
  public static long controllerPid(String name) throws IOException {
    return Long.parseLong(Files.readString(Path.of("/run/libvirt/lxc").resolve(name + ".pid")).strip());
  }

  /**
   * Removes the domain's machine cgroup directories that nobody removed: a controller SIGKILLed by libvirtd (destroy
   * of a paused domain, a restart) cannot, and libvirtd removes only some hierarchies. rmdir only succeeds on an empty
   * cgroup, so nothing in use is touched; retried for a few seconds while the last tasks die.
   */
  /**
   * Removes what stock libvirt_lxc leaves in libvirt's state directory after its domain is gone: the empty mount points
   * {@code NAME.dev}, {@code NAME.devpts}, {@code NAME.fuse} it creates for its own mount namespace, and its monitor
   * socket {@code NAME.sock} when it was killed. Our controller removes its socket itself.
   */
  static void removeStockControllerLeftovers(String name) {
    for (String suffix : List.of(".dev", ".devpts", ".fuse", ".sock")) {
      Path p = Path.of("/run/libvirt/lxc", name + suffix);
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        System.err.println("left " + p + ": " + e); // not empty: something is still mounted or written there
      }
    }
  }

  static void removeEmptyMachineCgroups(String name) {
    String suffix = "-" + name + ".libvirt-lxc";
    for (int attempt = 0; attempt < 10; attempt++) {
      boolean left = false;
      try (Stream<Path> roots = Files.list(Path.of("/sys/fs/cgroup"))) {
        for (Path root : roots.toList()) {
          Path machine = root.resolve("machine");
          if (!Files.isDirectory(machine)) {
            continue;
          }
          try (Stream<Path> dirs = Files.list(machine)) {
            for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith("lxc-")
                && d.getFileName().toString().endsWith(suffix)).toList()) {
              try {
                Files.deleteIfExists(d);
              } catch (IOException e) {
                left = true; // still has tasks: the last ones are dying
              }
            }
          } catch (IOException e) {
            left = true;
          }
        }
      } catch (IOException e) {
        return;
      }
      if (!left) {
        return;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
