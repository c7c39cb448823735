package org.virtlxc.checkpoint;

import org.virtlxc.checkpoint.image.WriteProgress;

/**
 * Hears how a save, managed save or restore job advances: each phase as it starts and the image write's progress.
 * Called on the job's thread; implementations must be quick (a job-progress registry, a {@code --verbose} printer).
 */
public interface SaveListener {
  /** The steps of a job, in order; a job runs only the steps it needs. */
  enum Phase {
    /** CRIU dumps the process tree (it is frozen meanwhile). */
    DUMP,
    /** The save image is written, fsynced and renamed into place. */
    WRITE_IMAGE,
    /** The checkpoint is durable: the saved tree is ended, libvirt shows the domain shut off. */
    STOP,
    /** The whole save image is checked (checksums, truncation, format version, host compatibility). */
    VERIFY,
    /** The save image is unpacked into virt-lxc's state directory and marked as the domain's pending restore. */
    EXTRACT,
    /** libvirtd starts the domain; its controller has CRIU restore the tree. */
    START
  }

  /** Nothing to hear. */
  SaveListener NONE = new SaveListener() { };

  default void phase(Phase phase) { }

  default void progress(WriteProgress progress) { }
}
