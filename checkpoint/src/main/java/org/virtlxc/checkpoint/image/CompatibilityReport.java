package org.virtlxc.checkpoint.image;

import java.util.List;

/**
 * Whether a save image can be restored on a host: {@code problems} refuse the restore, {@code warnings} do not.
 */
public record CompatibilityReport(List<String> problems, List<String> warnings) {
  public CompatibilityReport {
    problems = List.copyOf(problems);
    warnings = List.copyOf(warnings);
  }

  public boolean compatible() {
    return problems.isEmpty();
  }

  /** Throws an {@link SaveImageException.Code#INCOMPATIBLE} error listing every problem, if there is one. */
  public void requireCompatible(String image) throws SaveImageException {
    if (!compatible()) {
      throw new SaveImageException(SaveImageException.Code.INCOMPATIBLE,
          "save image " + image + " cannot be restored on this host: " + String.join("; ", problems));
    }
  }
}
