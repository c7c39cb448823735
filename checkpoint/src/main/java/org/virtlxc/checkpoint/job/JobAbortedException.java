package org.virtlxc.checkpoint.job;

import java.io.IOException;

/**
 * The job was asked to abort ({@code virt-lxc domjobabort}) and stopped; message "operation aborted", as libvirt
 * reports an aborted job. An {@link IOException} so that it ends a save image write from its progress listener.
 */
public final class JobAbortedException extends IOException {
  private static final long serialVersionUID = 1L;
  public static final String MESSAGE = "operation aborted";

  public JobAbortedException(JobOperation operation, String domain) {
    super(MESSAGE + ": " + operation.label().toLowerCase(java.util.Locale.ROOT) + " job of domain " + domain
        + ": canceled by client");
  }

  /** True if {@code t} or one of its causes is an abort. */
  public static boolean isAbort(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof JobAbortedException) {
        return true;
      }
    }
    return false;
  }
}
