package org.virtlxc.checkpoint;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.image.RunState;

/**
 * How to save a domain (virsh {@code save} / {@code managedsave} flags).
 *
 * @param runState      the state the domain comes back in at restore (virsh {@code --running} / {@code --paused})
 * @param leaveRunning  keep the domain running after the save (a live checkpoint; not for managed save)
 * @param compression   how the save image is stored (managed save keeps CRIU's files as they are)
 * @param domainXml     the inactive domain XML to record, or null for the live definition libvirtd has
 * @param listener      hears phases and progress
 * @param timeout       how long CRIU may take
 * @param extraCriuArgs further CRIU dump options (tests: {@code --action-script}); empty normally
 */
public record SaveOptions(RunState runState, boolean leaveRunning, Compression compression, String domainXml,
                          SaveListener listener, Duration timeout, List<String> extraCriuArgs) {
  public SaveOptions {
    Objects.requireNonNull(runState, "runState");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(timeout, "timeout");
    extraCriuArgs = List.copyOf(extraCriuArgs);
  }

  /** Restore running, stop the domain after the save, no compression, default CRIU timeout. */
  public static SaveOptions defaults() {
    return new SaveOptions(RunState.RUNNING, false, Compression.NONE, null, SaveListener.NONE,
        DumpOptions.DEFAULT_TIMEOUT, List.of());
  }

  public SaveOptions withRunState(RunState s) {
    return new SaveOptions(s, leaveRunning, compression, domainXml, listener, timeout, extraCriuArgs);
  }

  public SaveOptions withLeaveRunning(boolean leave) {
    return new SaveOptions(runState, leave, compression, domainXml, listener, timeout, extraCriuArgs);
  }

  public SaveOptions withCompression(Compression c) {
    return new SaveOptions(runState, leaveRunning, c, domainXml, listener, timeout, extraCriuArgs);
  }

  public SaveOptions withDomainXml(String xml) {
    return new SaveOptions(runState, leaveRunning, compression, xml, listener, timeout, extraCriuArgs);
  }

  public SaveOptions withListener(SaveListener l) {
    return new SaveOptions(runState, leaveRunning, compression, domainXml, l, timeout, extraCriuArgs);
  }

  public SaveOptions withExtraCriuArgs(List<String> args) {
    return new SaveOptions(runState, leaveRunning, compression, domainXml, listener, timeout, args);
  }
}
