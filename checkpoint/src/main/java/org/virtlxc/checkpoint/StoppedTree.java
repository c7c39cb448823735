package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A domain's process tree that CRIU dumped and left stopped ({@code --leave-stopped}): every task sits in SIGSTOP, so
 * nothing of the container runs while its checkpoint is made safe, and both ways out lose nothing:
 * {@link #resume()} (the checkpoint could not be kept: the domain runs on exactly where it stopped) or {@link #kill()}
 * (the checkpoint is durable: the tree ends, the controller reports EXIT and libvirt shows the domain shut off).
 *
 * @param domainName    the domain
 * @param controllerPid its controller
 * @param initPid       its init's host pid (pid 1 of the container)
 */
public record StoppedTree(String domainName, long controllerPid, long initPid) {
  private static final Logger LOG = LogManager.getLogger(StoppedTree.class);
  private static final Duration CONTROLLER_EXIT_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration LIBVIRTD_CLEANUP_WAIT = Duration.ofSeconds(15);

  /**
   * Sends SIGCONT to the init and every process below it. (SIGCONT continues a stopped pid-namespace init even from
   * the parent namespace: the kernel wakes it before deciding whether the signal itself is delivered.)
   */
  public void resume() throws CheckpointException {
    List<String> cmd = new ArrayList<>(List.of("kill", "-CONT", Long.toString(initPid)));
    ProcessHandle.of(initPid).ifPresent(h -> h.descendants().forEach(d -> cmd.add(Long.toString(d.pid()))));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new CheckpointException("unable to resume the stopped processes of domain " + domainName + ": "
            + String.join(" ", cmd) + " failed: " + out);
      }
      LOG.info("resumed {} stopped processes of {}", cmd.size() - 2, domainName);
    } catch (IOException e) {
      throw new CheckpointException("unable to resume the stopped processes of domain " + domainName + ": "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointException("interrupted while resuming domain " + domainName, e);
    }
  }

  /**
   * Kills the init with SIGKILL (the kernel then kills every process of its pid namespace) and waits until the
   * controller, seeing its init gone, has told libvirtd and left, and libvirtd has cleaned up after it (so that libvirt
   * shows the domain shut off).
   */
  public void kill() throws CheckpointException {
    Optional<ProcessHandle> init = ProcessHandle.of(initPid);
    init.ifPresent(ProcessHandle::destroyForcibly);
    try {
      if (!ProcessExit.await(controllerPid, CONTROLLER_EXIT_TIMEOUT)) {
        throw new CheckpointException("domain " + domainName + " was saved, but its controller " + controllerPid
            + " is still there after " + CONTROLLER_EXIT_TIMEOUT.toSeconds() + " s");
      }
      awaitLibvirtdCleanup();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointException("interrupted while waiting for the controller of " + domainName + " to stop", e);
    }
  }

  /**
   * Waits (polling every 20 ms) until libvirtd has removed the domain's pid file: it does so in the clean-up after
   * the controller's end, right before it marks the domain shut off under the domain's lock, so a {@code virsh
   * domstate} from then on says "shut off". Here that came 0.2-0.3 s after the kill, while the controller's reaping
   * (by the host's init, as libvirtd daemonized it) came up to 2 s later: so this replaces
   * {@link ProcessHandle#onExit()}, which waits for that reaping and polls a process that is not this JVM's child
   * 300 ms apart. Gives up quietly after {@link #LIBVIRTD_CLEANUP_WAIT} (libvirtd not running): the
   * controller has ended, the domain is saved.
   */
  private void awaitLibvirtdCleanup() throws InterruptedException {
    Path pidFile = RunningDomain.LIBVIRT_LXC_STATE_DIR.resolve(domainName + ".pid");
    long deadline = System.nanoTime() + LIBVIRTD_CLEANUP_WAIT.toNanos();
    while (Files.exists(pidFile)) {
      if (System.nanoTime() - deadline >= 0) {
        LOG.warn("the controller of {} has ended, but libvirtd has not cleaned up after it within {} s ({} is still"
            + " there)", domainName, LIBVIRTD_CLEANUP_WAIT.toSeconds(), pidFile);
        return;
      }
      Thread.sleep(20);
    }
  }
}
