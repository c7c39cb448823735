package org.virtlxc.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.virtlxc.checkpoint.job.JobRegistry;
import org.virtlxc.checkpoint.job.JobResult;
import org.virtlxc.checkpoint.job.JobState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code virt-lxc domjobabort DOMAIN}: asks the job running on DOMAIN to abort and waits until it has stopped (its
 * CRIU killed, the domain left running, its files removed).
 */
@Command(name = "domjobabort", mixinStandardHelpOptions = true,
    description = "Abort the save, restore or migration job running on a domain (as virsh domjobabort).")
final class DomJobAbort implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name")
  String domain;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "how long to wait for the job to stop (default ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    JobRegistry registry = JobRegistry.system();
    JobState job = registry.requestAbort(domain);
    if (!registry.awaitEnd(domain, job, Duration.ofSeconds(timeoutSeconds))) {
      throw new IllegalStateException("the " + job.operation().label().toLowerCase(java.util.Locale.ROOT)
          + " job on domain " + domain + " (pid " + job.pid() + ") was asked to abort but still runs after "
          + timeoutSeconds + " s");
    }
    var finished = registry.completed(domain);
    if (finished.isPresent() && finished.get().started().equals(job.started())
        && finished.get().result() == JobResult.COMPLETED) {
      throw new IllegalStateException("the " + job.operation().label().toLowerCase(java.util.Locale.ROOT)
          + " job on domain " + domain + " completed before it could be aborted");
    }
    return 0;
  }
}
