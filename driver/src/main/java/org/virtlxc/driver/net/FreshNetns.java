package org.virtlxc.driver.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A new, empty network namespace for a restore, held by a placeholder process ({@code unshare --net sleep infinity})
 * until the restored tree holds it itself. {@link NetworkSetup} configures it through the placeholder's pid exactly as
 * it configures a booting init's; {@link #path()} is what CRIU is handed. {@link #close()} ends the placeholder: a
 * namespace nobody else holds goes away with the veths moved into it (their host ends too).
 */
public final class FreshNetns implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(FreshNetns.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

  private final Process holder;

  private FreshNetns(Process holder) {
    this.holder = holder;
  }

  /** Starts the placeholder and returns once it runs in its own network namespace. */
  public static FreshNetns create() throws NetworkConfigException {
    String unshare = NetworkSetup.find("unshare", "util-linux");
    String sleep = NetworkSetup.find("sleep", "coreutils");
    Process p;
    try {
      p = new ProcessBuilder(List.of(unshare, "--net", "--", sleep, "infinity"))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new NetworkConfigException("unable to create a network namespace: " + unshare + ": " + e.getMessage(), e);
    }
    FreshNetns ns = new FreshNetns(p);
    try {
      ns.awaitOwnNamespace();
    } catch (NetworkConfigException | RuntimeException e) {
      ns.close();
      throw e;
    }
    LOG.info("new network namespace held by pid {}", p.pid());
    return ns;
  }

  private void awaitOwnNamespace() throws NetworkConfigException {
    String own;
    try {
      own = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    } catch (IOException e) {
      throw new NetworkConfigException("unable to read this process's network namespace: " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!holder.isAlive()) {
        throw new NetworkConfigException("unable to create a network namespace: unshare --net ended with status "
            + holder.exitValue());
      }
      try {
        if (!inode().equals(own)) {
          return;
        }
        Thread.sleep(5);
      } catch (IOException e) {
        // not yet exec'd, or gone: the next round tells
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NetworkConfigException("interrupted while creating a network namespace", e);
      }
    }
    throw new NetworkConfigException("unable to create a network namespace: unshare --net did not enter one within "
        + READY_TIMEOUT.toSeconds() + " s");
  }

  private String inode() throws IOException {
    return Files.readSymbolicLink(path()).toString();
  }

  /** The placeholder's pid: {@code ip link set … netns PID} and {@code nsenter --target PID --net} reach the namespace. */
  public long holderPid() {
    return holder.pid();
  }

  /** {@code /proc/PID/ns/net} of the placeholder, to be opened and handed to CRIU while the placeholder runs. */
  public Path path() {
    return Path.of("/proc/" + holder.pid() + "/ns/net");
  }

  /** Ends the placeholder and reaps it. */
  @Override
  public void close() {
    holder.destroyForcibly();
    try {
      if (!holder.waitFor(5, TimeUnit.SECONDS)) {
        LOG.warn("network namespace placeholder {} did not end within 5 s", holder.pid());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
