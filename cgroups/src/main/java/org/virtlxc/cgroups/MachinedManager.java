package org.virtlxc.cgroups;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A domain cgroup laid out as libvirt's {@code virCgroupNewMachine} does: {@link #create()} first registers the machine
 * with systemd-machined when the host has it ({@link MachineRegistration}) and then works in machined's scope, in
 * every hierarchy (on v2 the scope directory, on v1 the scope's directory in each controller's hierarchy, created when
 * systemd did not); otherwise it uses the manual layout, unchanged. {@link #destroy()} terminates a registered machine
 * ({@code TerminateMachine}) before removing the directories it created. Every other method goes to the v1 or v2
 * backend for the chosen cgroup.
 */
public final class MachinedManager implements CgroupManager {
  private static final Logger LOG = LogManager.getLogger(MachinedManager.class);
  private final CgroupLayout layout;
  private final MachineCgroup manual;
  private final HostTopology host;
  private final MachineRegistration registration;
  private final MachineRequest request;
  private CgroupManager backend;
  private boolean registered;

  /**
   * @param manual  the manual layout's cgroup, used when the machine is not registered
   * @param request what to tell machined (its name is {@code manual.machineName()})
   */
  public MachinedManager(CgroupLayout layout, MachineCgroup manual, HostTopology host, MachineRegistration registration,
      MachineRequest request) {
    if (!request.name().equals(manual.machineName())) {
      throw new IllegalArgumentException("machine request " + request.name() + " is not for " + manual.machineName());
    }
    this.layout = layout;
    this.manual = manual;
    this.host = host;
    this.registration = registration;
    this.request = request;
  }

  /** Whether the machine is registered with machined (known after {@link #create()}). */
  public boolean registered() {
    return registered;
  }

  @Override
  public MachineCgroup cgroup() {
    return backend == null ? manual : backend.cgroup();
  }

  @Override
  public void create() throws CgroupException {
    if (backend != null) {
      throw new IllegalStateException("cgroup " + backend.cgroup().path() + " already created");
    }
    MachineCgroup chosen = registration.register(manual, request);
    registered = chosen.isScope();
    CgroupManager b = CgroupManagers.create(layout, chosen, host);
    try {
      b.create();
    } catch (CgroupException e) {
      if (registered) {
        terminateQuietly(e);
      }
      throw e;
    }
    backend = b;
  }

  private void terminateQuietly(CgroupException cause) {
    try {
      registration.machined().terminateMachine(request.name());
    } catch (CgroupException e) {
      cause.addSuppressed(e);
    }
    registered = false;
  }

  private CgroupManager backend() {
    if (backend == null) {
      throw new IllegalStateException("cgroup of " + manual.machineName() + " not created yet");
    }
    return backend;
  }

  @Override
  public void addProcess(long pid) throws CgroupException {
    backend().addProcess(pid);
  }

  @Override
  public void apply(CgroupResources r) throws CgroupException {
    backend().apply(r);
  }

  @Override
  public CgroupResources readBack() throws CgroupException {
    return backend().readBack();
  }

  @Override
  public CgroupStats stats() throws CgroupException {
    return backend().stats();
  }

  @Override
  public void freeze(Duration timeout) throws CgroupException {
    backend().freeze(timeout);
  }

  @Override
  public void thaw(Duration timeout) throws CgroupException {
    backend().thaw(timeout);
  }

  @Override
  public boolean isFrozen() throws CgroupException {
    return backend().isFrozen();
  }

  /** Terminates a registered machine (machined stops its scope), then removes what the backend created. */
  @Override
  public void destroy() throws CgroupException {
    if (backend == null) {
      return;
    }
    CgroupException first = null;
    if (registered) {
      try {
        registration.machined().terminateMachine(request.name());
        registered = false;
      } catch (CgroupException e) {
        LOG.warn("{}", e.getMessage());
        first = e;
      }
    }
    try {
      backend.destroy();
    } catch (CgroupException e) {
      if (first == null) {
        first = e;
      } else {
        first.addSuppressed(e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public List<Path> paths() {
    return backend == null ? List.of() : backend.paths();
  }
}
