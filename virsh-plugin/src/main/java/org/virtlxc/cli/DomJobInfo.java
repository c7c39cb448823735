package org.virtlxc.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import org.virtlxc.checkpoint.job.JobRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code virt-lxc domjobinfo DOMAIN [--completed]}: the save, restore or migration running on DOMAIN. */
@Command(name = "domjobinfo", mixinStandardHelpOptions = true,
    description = "Show the save, restore or migration job running on a domain (as virsh domjobinfo).")
final class DomJobInfo implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name")
  String domain;

  @Option(names = "--completed", description = "show the last finished job instead")
  boolean completed;

  @Override
  public Integer call() throws Exception {
    JobRegistry registry = JobRegistry.system();
    var job = completed ? registry.completed(domain) : registry.active(domain);
    spec.commandLine().getOut().print(JobInfoFormat.format(job, Instant.now()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
