package org.virtlxc.driver.monitor;

/** An event of libvirt's LXC monitor program: the only messages that ever cross the monitor socket. */
public sealed interface MonitorEvent permits MonitorEvent.Init, MonitorEvent.Exit {

  /** {@code VIR_LXC_MONITOR_PROC_INIT_EVENT}: the container init's pid in the host pid namespace. */
  record Init(long initPid) implements MonitorEvent {
    public Init {
      if (initPid <= 0) {
        throw new IllegalArgumentException("init pid must be positive: " + initPid);
      }
    }
  }

  /** {@code VIR_LXC_MONITOR_PROC_EXIT_EVENT}. */
  record Exit(ExitStatus status) implements MonitorEvent {
    public Exit {
      java.util.Objects.requireNonNull(status, "status");
    }
  }
}
