package org.virtlxc.checkpoint.job;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.image.WriteProgress;

/**
 * A save, restore or migration running on one domain, as {@code virt-lxc domjobinfo} shows it and
 * {@code virt-lxc domjobabort} stops it from another process. The process doing the work begins the job, reports
 * phases and progress, polls {@link #checkAborted()} between steps (and in its loops), and closes it:
 *
 * <pre>{@code
 * try (DomainJob job = DomainJob.begin(name, JobOperation.SAVE)) {
 *   checkpointer.dump(name, dir, options, job);            // phase "dumping", CRIU's progress, abort kills CRIU
 *   SaveImageWriter.create().progress(job.writeListener()).write(file, manifest, members);
 *   job.succeeded();
 * }
 * }</pre>
 * Closing records the finished job ({@code domjobinfo --completed}) as completed (after {@link #succeeded()}),
 * aborted (if an abort was requested) or failed, and removes the running job's file. Progress writes to the state
 * file are throttled; a write that fails is logged, never fails the job.
 */
public final class DomainJob implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(DomainJob.class);
  /** At most one state file write per this interval for progress alone (phase changes are written at once). */
  private static final Duration WRITE_INTERVAL = Duration.ofMillis(200);

  private final JobRegistry registry;
  private final String domain;
  private final Clock clock;
  private final List<Consumer<JobState>> listeners = new CopyOnWriteArrayList<>();
  private volatile JobState state;
  private Instant lastWrite = Instant.EPOCH;
  private boolean succeeded;
  private String failure;
  private boolean closed;

  private DomainJob(JobRegistry registry, String domain, JobState state, Clock clock) {
    this.registry = registry;
    this.domain = domain;
    this.state = state;
    this.clock = clock;
  }

  /** Begins {@code operation} on {@code domain} in the {@link JobRegistry#system() system registry}. */
  public static DomainJob begin(String domain, JobOperation operation) throws CheckpointException {
    return begin(JobRegistry.system(), domain, operation);
  }

  /**
   * Begins {@code operation} on {@code domain}; refused while another live job runs on it. A stale abort request
   * left by an earlier job is dropped.
   */
  public static DomainJob begin(JobRegistry registry, String domain, JobOperation operation)
      throws CheckpointException {
    Clock clock = Clock.systemUTC();
    try {
      Optional<JobState> other = registry.active(domain);
      if (other.isPresent()) {
        throw new CheckpointException("unable to begin a " + operation.label().toLowerCase(java.util.Locale.ROOT)
            + " job on domain " + domain + ": a " + other.get().operation().label().toLowerCase(java.util.Locale.ROOT)
            + " job (pid " + other.get().pid() + ") is already running on it");
      }
      java.nio.file.Files.deleteIfExists(registry.abortFile(domain));
      JobState s = JobState.begun(operation, ProcessHandle.current().pid(), JobRegistry.ownStart(), clock.instant());
      registry.writeActive(domain, s);
      DomainJob job = new DomainJob(registry, domain, s, clock);
      job.lastWrite = s.updated();
      LOG.info("{} job on domain {} begun ({})", operation.label(), domain, registry.jobFile(domain));
      return job;
    } catch (IOException e) {
      throw new CheckpointException("unable to record a job for domain " + domain + " in " + registry.directory()
          + ": " + e.getMessage(), e);
    }
  }

  public String domain() {
    return domain;
  }

  public JobOperation operation() {
    return state.operation();
  }

  /** The job's current state. */
  public JobState state() {
    return state;
  }

  /** Calls {@code listener} with every new state in this process (e.g. a {@code --verbose} progress printer). */
  public void onProgress(Consumer<JobState> listener) {
    listeners.add(listener);
  }

  /** Enters {@code phase} (e.g. "dumping", "writing image"); the progress counters start again from zero. */
  public synchronized void phase(String phase) {
    update(state.withPhase(phase, clock.instant()).withProgress(0, 0, 0, 0, clock.instant()), true);
  }

  /** How far the current phase is: bytes of data and of the domain's memory, each done of its total (0: unknown). */
  public synchronized void progress(long dataProcessed, long dataTotal, long memoryProcessed, long memoryTotal) {
    update(state.withProgress(dataProcessed, dataTotal, memoryProcessed, memoryTotal, clock.instant()), false);
  }

  /** Whether {@code domjobabort} asked this job to stop. */
  public boolean abortRequested() {
    return registry.abortRequested(domain, state);
  }

  /** Throws {@link JobAbortedException} ("operation aborted") if {@code domjobabort} asked this job to stop. */
  public void checkAborted() throws JobAbortedException {
    if (abortRequested()) {
      throw new JobAbortedException(state.operation(), domain);
    }
  }

  /**
   * A save image write listener: enters phase "writing image", reports payload bytes as data and page bytes
   * ({@code pageSize} each, the manifest's page size) as memory, and ends the write with {@link JobAbortedException}
   * when an abort is requested.
   */
  public WriteProgress.Listener writeListener(int pageSize) {
    phase("writing image");
    return p -> {
      progress(p.bytesWritten(), p.bytesTotal(), p.pagesWritten() * pageSize, p.pagesTotal() * pageSize);
      checkAborted();
    };
  }

  /** Marks the job as done; {@link #close()} then records it as completed. */
  public synchronized void succeeded() {
    succeeded = true;
  }

  /** Records why the job failed (the message {@code domjobinfo --completed} shows); {@link #close()} keeps it. */
  public synchronized void failed(String why) {
    failure = why;
  }

  /** Records the finished job and removes the running job's file and any abort request. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    JobResult result;
    String why = null;
    if (succeeded) {
      result = JobResult.COMPLETED;
    } else if (abortRequested()) {
      result = JobResult.ABORTED;
      why = JobAbortedException.MESSAGE;
    } else {
      result = JobResult.FAILED;
      why = failure == null ? "the job ended without completing" : failure;
    }
    state = state.withResult(result, why, clock.instant());
    try {
      registry.finish(domain, state);
    } catch (IOException e) {
      LOG.warn("unable to record the end of the job on domain {} in {}: {}", domain, registry.directory(),
          e.getMessage());
    }
    notifyListeners();
    LOG.info("{} job on domain {} {}", state.operation().label(), domain, result.key());
  }

  private void update(JobState next, boolean force) {
    if (closed) {
      return;
    }
    state = next;
    Instant now = next.updated();
    if (force || Duration.between(lastWrite, now).compareTo(WRITE_INTERVAL) >= 0) {
      lastWrite = now;
      try {
        registry.writeActive(domain, next);
      } catch (IOException e) {
        LOG.warn("unable to update the job state of domain {}: {}", domain, e.getMessage());
      }
    }
    notifyListeners();
  }

  private void notifyListeners() {
    for (Consumer<JobState> l : listeners) {
      l.accept(state);
    }
  }
}
