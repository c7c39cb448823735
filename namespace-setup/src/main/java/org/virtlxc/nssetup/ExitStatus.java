package org.virtlxc.nssetup;

/** How a process ended: an exit code, or the signal that killed it (code -1 then). */
public record ExitStatus(int code, int signal) {
  /** Decodes a wait status as returned by waitpid(2). */
  public static ExitStatus fromWaitStatus(int status) {
    int sig = status & 0x7f;
    if (sig == 0) {
      return new ExitStatus((status >> 8) & 0xff, 0);
    }
    return new ExitStatus(-1, sig);
  }

  public boolean exited() {
    return signal == 0;
  }

  public boolean signaled() {
    return signal != 0;
  }

  @Override
  public String toString() {
    return exited() ? "exit status " + code : "killed by signal " + signal;
  }
}
