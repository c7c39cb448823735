package org.virtlxc.cli;

import java.io.PrintWriter;
import org.virtlxc.checkpoint.SaveListener;
import org.virtlxc.checkpoint.image.WriteProgress;

/** {@code --verbose}: each phase, then virsh's {@code Save: [ NN %]} as the image is written, on stderr. */
final class ProgressPrinter implements SaveListener {
  private final PrintWriter err;
  private final String label;
  private int lastPercent = -1;

  ProgressPrinter(PrintWriter err, String label) {
    this.err = err;
    this.label = label;
  }

  static SaveListener of(boolean verbose, PrintWriter err, String label) {
    return verbose ? new ProgressPrinter(err, label) : SaveListener.NONE;
  }

  @Override
  public void phase(Phase phase) {
    err.println(label + ": " + phase.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    err.flush();
  }

  @Override
  public void progress(WriteProgress p) {
    int percent = p.percent();
    if (percent != lastPercent && (percent == 100 || percent / 10 != lastPercent / 10)) {
      lastPercent = percent;
      err.printf("%s: [%3d %%]%n", label, percent);
      err.flush();
    }
  }
}
