package org.virtlxc.cgroups;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A domain's cgroup on one host layout (runc's {@code cgroups.Manager}). Obtain one from
 * {@link CgroupManagers#create}. Not thread-safe: the controller drives it from one thread.
 */
public sealed interface CgroupManager permits V1Manager, V2Manager, MachinedManager {

  /** The domain cgroup this manager owns. */
  MachineCgroup cgroup();

  /** Creates the domain's directory (and missing partition levels) in every hierarchy it uses. */
  void create() throws CgroupException;

  /** Moves process {@code pid} (all its threads) into the domain's cgroup in every hierarchy. */
  void addProcess(long pid) throws CgroupException;

  /** Validates {@code r} against libvirt's ranges and the host, then writes its non-null knobs. */
  void apply(CgroupResources r) throws CgroupException;

  /**
   * What the kernel reports now, in the same units as {@link #apply}. Per-device blkio settings come back with a null
   * path (the kernel lists MAJ:MIN only), an empty list when there are none; {@code memoryMinGuarantee} is null on v1
   * (no such knob); {@code devices} is null when all devices are allowed (or on v2, which has no device list).
   */
  CgroupResources readBack() throws CgroupException;

  /** Usage counters. */
  CgroupStats stats() throws CgroupException;

  /** Freezes all tasks and waits until the kernel reports them frozen; on timeout thaws again and fails. */
  void freeze(Duration timeout) throws CgroupException;

  /** Thaws all tasks and waits until the kernel reports them thawed. */
  void thaw(Duration timeout) throws CgroupException;

  /** Whether the kernel reports the cgroup frozen. */
  boolean isFrozen() throws CgroupException;

  /**
   * Removes the domain's directory in every hierarchy, bottom-up, then each partition level this manager created if it
   * is empty. Touches nothing else. The cgroup must have no tasks left.
   */
  void destroy() throws CgroupException;

  /** The domain's directory in each hierarchy used. */
  List<Path> paths();
}
