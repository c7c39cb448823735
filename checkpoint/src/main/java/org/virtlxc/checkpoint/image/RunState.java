package org.virtlxc.checkpoint.image;

/** The state a restored domain comes back in (virsh {@code --running} / {@code --paused}). */
public enum RunState {
  RUNNING("running"),
  PAUSED("paused");

  private final String label;

  RunState(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static RunState fromLabel(String label) {
    for (RunState s : values()) {
      if (s.label.equals(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown run state '" + label + "' (expected running or paused)");
  }
}
