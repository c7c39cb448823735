package org.virtlxc.driver.net;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Carries out a {@link NetworkPlan} with iproute2: {@code ip} in the host, {@code nsenter --target PID --net ip} inside
 * the container. Runs after init is launched and before it is released (init waits on its sync fd meanwhile).
 *
 * <p>Nothing is undone on failure: a veth still in the host is deleted by libvirtd's clean-up with its host-side
 * peer, and one already moved dies with the container's network namespace when init is killed.
 */
public final class NetworkSetup {
  private static final Logger LOG = LogManager.getLogger(NetworkSetup.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
  /** libvirtd passes its own PATH; these are where Debian puts ip and nsenter, should that PATH lack them. */
  private static final List<String> FALLBACK_PATH = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

  /** Runs one program and returns its exit status and its combined output. */
  @FunctionalInterface
  public interface CommandRunner {
    Result run(List<String> argv, Duration timeout) throws IOException, InterruptedException;

    /** Exit status and what it printed. */
    record Result(int status, String output) {}
  }

  private final CommandRunner runner;
  private final String ip;
  private final String nsenter;

  public NetworkSetup(CommandRunner runner, String ip, String nsenter) {
    this.runner = Objects.requireNonNull(runner, "runner");
    this.ip = Objects.requireNonNull(ip, "ip");
    this.nsenter = Objects.requireNonNull(nsenter, "nsenter");
  }

  /** Real processes; {@code ip} and {@code nsenter} found on {@code PATH} or in the usual directories. */
  public static NetworkSetup system() throws NetworkConfigException {
    return new NetworkSetup(NetworkSetup::exec, find("ip", "iproute2"), find("nsenter", "util-linux"));
  }

  /** Applies {@code plan} to the container whose init has host pid {@code initPid}. */
  public void apply(NetworkPlan plan, long initPid) throws NetworkConfigException {
    for (IpCommand c : NetworkCommands.of(plan, initPid)) {
      List<String> argv = argv(c, initPid);
      CommandRunner.Result r;
      try {
        r = runner.run(argv, COMMAND_TIMEOUT);
      } catch (IOException e) {
        throw new NetworkConfigException("unable to configure " + c.subject() + ": " + c + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NetworkConfigException("unable to configure " + c.subject() + ": interrupted", e);
      }
      if (r.status() != 0) {
        String why = r.output().strip().replaceAll("\\s*\\n\\s*", "; ");
        throw new NetworkConfigException("unable to configure " + c.subject() + ": " + c + " failed"
            + (why.isEmpty() ? " with status " + r.status() : ": " + why));
      }
      LOG.debug("{}: {}", c.subject(), c);
    }
    if (!plan.isEmpty()) {
      LOG.info("network set up: {} interface(s){}", plan.interfaces().size(), plan.loopbackUp() ? ", loopback up" : "");
    }
  }

  /** The full command line of {@code c}. */
  List<String> argv(IpCommand c, long initPid) {
    List<String> argv = new ArrayList<>();
    if (c.inContainer()) {
      argv.addAll(List.of(nsenter, "--target", Long.toString(initPid), "--net", "--"));
    }
    argv.add(ip);
    argv.addAll(c.args());
    return argv;
  }

  private static CommandRunner.Result exec(List<String> argv, Duration timeout)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try (InputStream in = p.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(output unreadable: " + e.getMessage() + ")";
      }
    });
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor();
      return new CommandRunner.Result(-1, "timed out after " + timeout.toSeconds() + " s");
    }
    try {
      return new CommandRunner.Result(p.exitValue(), output.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (ExecutionException | TimeoutException e) {
      return new CommandRunner.Result(p.exitValue(), "(output unreadable: " + e + ")");
    }
  }

  static String find(String program, String pkg) throws NetworkConfigException {
    Set<String> dirs = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(":")) {
        if (!d.isEmpty()) {
          dirs.add(d);
        }
      }
    }
    dirs.addAll(FALLBACK_PATH);
    for (String d : dirs) {
      Path p = Path.of(d, program);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new NetworkConfigException("unable to set up the network: " + program + " not found (package " + pkg + ")");
  }
}
