package org.virtlxc.checkpoint.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The domain jobs of this host, in files any virt-lxc process reads: under {@code /run/virt-lxc/jobs} (or the system
 * property {@code virtlxc.jobs.dir}), for domain NAME,
 * <ul>
 *   <li>{@code NAME.job}: the running job's {@link JobState}, replaced atomically (temporary file and rename) by the
 *       process that runs it;</li>
 *   <li>{@code NAME.completed}: the last finished job's state (completed, failed or aborted);</li>
 *   <li>{@code NAME.abort}: a request to abort the job it names (pid and start time), which the job polls. A flag
 *       file rather than a signal: it reaches a JVM safely, survives a race with the job's start, and cannot hit
 *       another process that reused the pid.</li>
 * </ul>
 * A job file whose process is gone (crashed, killed) is stale and reads as no job.
 */
public final class JobRegistry {
  public static final Path DEFAULT_DIR = Path.of("/run/virt-lxc/jobs");
  /** Two start times of one process as different JVMs compute them (clock ticks since boot) agree within this. */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

  private final Path dir;

  public JobRegistry(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /** {@link #DEFAULT_DIR}, or the directory the system property {@code virtlxc.jobs.dir} names. */
  public static JobRegistry system() {
    String p = System.getProperty("virtlxc.jobs.dir");
    return new JobRegistry(p == null || p.isBlank() ? DEFAULT_DIR : Path.of(p));
  }

  public Path directory() {
    return dir;
  }

  public Path jobFile(String domain) {
    return dir.resolve(checkName(domain) + ".job");
  }

  public Path completedFile(String domain) {
    return dir.resolve(checkName(domain) + ".completed");
  }

  public Path abortFile(String domain) {
    return dir.resolve(checkName(domain) + ".abort");
  }

  /** The job running on {@code domain}, if one runs (a stale file of a dead process reads as none). */
  public Optional<JobState> active(String domain) throws IOException {
    return read(jobFile(domain)).filter(JobRegistry::alive);
  }

  /** The last finished job's state, if kept. */
  public Optional<JobState> completed(String domain) throws IOException {
    return read(completedFile(domain));
  }

  /**
   * Asks the job running on {@code domain} to abort; returns that job.
   *
   * @throws IOException naming the domain when no job runs on it
   */
  public JobState requestAbort(String domain) throws IOException {
    JobState job = active(domain).orElseThrow(() -> new IOException("no job is running on domain " + domain
        + " (no live " + jobFile(domain) + ")"));
    writeAtomically(abortFile(domain), "pid=" + job.pid() + "\nstarted=" + job.started() + "\n");
    return job;
  }

  /** Whether an abort of exactly this job (same pid and start) was requested. */
  public boolean abortRequested(String domain, JobState job) {
    try {
      String text = Files.readString(abortFile(domain), StandardCharsets.UTF_8);
      return text.equals("pid=" + job.pid() + "\nstarted=" + job.started() + "\n");
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits until {@code job} no longer runs (its file is gone, replaced by another job's, or its process died). */
  public boolean awaitEnd(String domain, JobState job, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<JobState> now = active(domain);
      if (now.isEmpty() || !now.get().started().equals(job.started()) || now.get().pid() != job.pid()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
  }

  void writeActive(String domain, JobState state) throws IOException {
    writeAtomically(jobFile(domain), state.format());
  }

  void finish(String domain, JobState finished) throws IOException {
    writeAtomically(completedFile(domain), finished.format());
    Files.deleteIfExists(jobFile(domain));
    Files.deleteIfExists(abortFile(domain));
  }

  /** Whether the process that wrote {@code state} still runs (same pid, same start time). */
  static boolean alive(JobState state) {
    Optional<ProcessHandle> p = ProcessHandle.of(state.pid());
    if (p.isEmpty() || !p.get().isAlive()) {
      return false;
    }
    Optional<Instant> start = p.get().info().startInstant();
    return start.isEmpty()
        || Duration.between(start.get(), state.pidStarted()).abs().compareTo(START_TOLERANCE) <= 0;
  }

  /** This process's start time, as {@link #alive} compares it. */
  static Instant ownStart() {
    return ProcessHandle.current().info().startInstant().orElse(Instant.EPOCH);
  }

  private Optional<JobState> read(Path file) throws IOException {
    try {
      return Optional.of(JobState.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private void writeAtomically(Path file, String text) throws IOException {
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("unable to rename " + temp + " to " + file + " atomically", e);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static String checkName(String domain) {
    if (domain == null || domain.isEmpty() || domain.contains("/") || domain.startsWith(".")) {
      throw new IllegalArgumentException("invalid domain name '" + domain + "' for a job file");
    }
    return domain;
  }
}
