package org.virtlxc.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;
import org.virtlxc.checkpoint.SaveListener;
import org.virtlxc.checkpoint.image.WriteProgress;
import org.virtlxc.checkpoint.job.JobState;

/**
 * {@code --verbose} progress of a save, restore or migration as virsh prints it: {@code "\rSave: [ 42 %]"}, redrawn
 * when the percentage changes, and {@code "\rSave: [100 %]\n"} at the end. It hears either a job's state
 * ({@link org.virtlxc.checkpoint.job.DomainJob#onProgress}, then {@link #finish} when the job is over) or, as a
 * {@link SaveListener}, the image write of a save (the line ends by itself at 100 %).
 */
public final class ProgressPrinter implements Consumer<JobState>, SaveListener {
  private final PrintWriter out;
  private final String label;
  private int shown = -1;

  /** Prints to {@code out} with {@code label}, e.g. "Save", "Restore", "Migration". */
  public ProgressPrinter(PrintWriter out, String label) {
    this.out = out;
    this.label = label;
  }

  /** A printer for {@code --verbose}, or a listener that prints nothing. */
  static SaveListener of(boolean verbose, PrintWriter out, String label) {
    return verbose ? new ProgressPrinter(out, label) : SaveListener.NONE;
  }

  @Override
  public synchronized void accept(JobState state) {
    show(state.percent());
  }

  @Override
  public synchronized void progress(WriteProgress progress) {
    boolean wasComplete = shown == 100;
    show(progress.percent());
    if (shown == 100 && !wasComplete) {
      out.print('\n');
      out.flush();
    }
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
