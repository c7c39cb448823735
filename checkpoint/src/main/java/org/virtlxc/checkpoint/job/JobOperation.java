package org.virtlxc.checkpoint.job;

/** What a domain job does, with the name {@code virsh domjobinfo} prints for it ("Operation:"). */
public enum JobOperation {
  SAVE("save", "Save"),
  RESTORE("restore", "Restore"),
  /** A CRIU dump on its own ({@code Checkpointer.dump} called without a job of its caller). */
  CHECKPOINT("checkpoint", "Checkpoint"),
  MIGRATION_OUT("migration-out", "Outgoing migration"),
  MIGRATION_IN("migration-in", "Incoming migration");

  private final String key;
  private final String label;

  JobOperation(String key, String label) {
    this.key = key;
    this.label = label;
  }

  /** The name in the job's state file. */
  public String key() {
    return key;
  }

  /** The name virsh prints, e.g. "Save" or "Outgoing migration". */
  public String label() {
    return label;
  }

  public static JobOperation fromKey(String key) {
    for (JobOperation o : values()) {
      if (o.key.equals(key)) {
        return o;
      }
    }
    throw new IllegalArgumentException("unknown job operation '" + key + "'");
  }
}
