package org.virtlxc.checkpoint.job;

/** How a finished job ended. */
public enum JobResult {
  COMPLETED("completed"),
  FAILED("failed"),
  ABORTED("aborted");

  private final String key;

  JobResult(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  public static JobResult fromKey(String key) {
    for (JobResult r : values()) {
      if (r.key.equals(key)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown job result '" + key + "'");
  }
}
