package org.virtlxc.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;
import org.virtlxc.checkpoint.job.JobState;

/**
 * {@code --verbose} progress of a save, restore or migration as virsh prints it: {@code "\rSave: [ 42 %]"}, redrawn
 * when the percentage changes, and {@code "\rSave: [100 %]\n"} at the end. Give it to
 * {@link org.virtlxc.checkpoint.job.DomainJob#onProgress}, then call {@link #finish} when the job is over.
 */
public final class ProgressPrinter implements Consumer<JobState> {
  private final PrintWriter out;
  private final String label;
  private int shown = -1;

  /** Prints to {@code out} (virsh prints it on stdout) with {@code label}, e.g. "Save", "Restore", "Migration". */
  public ProgressPrinter(PrintWriter out, String label) {
    this.out = out;
    this.label = label;
  }

  @Override
  public synchronized void accept(JobState state) {
    show(state.percent());
  }

  /** Ends the line: at 100 % if the job completed, where it stopped otherwise. */
  public synchronized void finish(boolean completed) {
    if (completed) {
      show(100);
    }
    if (shown >= 0) {
      out.print('\n');
      out.flush();
    }
  }

  /** The text for {@code percent}, without the leading carriage return. */
  static String line(String label, int percent) {
    return String.format(Locale.ROOT, "%s: [%3d %%]", label, percent);
  }

  private void show(int percent) {
    if (percent == shown) {
      return;
    }
    shown = percent;
    out.print("\r" + line(label, percent));
    out.flush();
  }
}
