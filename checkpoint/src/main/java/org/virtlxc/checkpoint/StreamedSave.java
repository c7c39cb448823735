package org.virtlxc.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Where {@link SaveService#saveToStream} sends a save image, and who decides what becomes of the dumped, stopped
 * tree afterwards (a migration's destination).
 */
public interface StreamedSave {
  /** What becomes of the stopped tree. */
  enum Outcome {
    /** The receiver runs the domain: the tree is killed (libvirt shows the domain shut off). */
    KILL,
    /** The receiver failed or refused: the tree runs on where it stopped. */
    RESUME,
    /** The receiver's state is unknown: the tree stays stopped, and the save fails saying so. */
    KEEP_STOPPED
  }

  /** An outcome and, unless {@link Outcome#KILL}, why. */
  record Decision(Outcome outcome, String reason) {
    public Decision {
      Objects.requireNonNull(outcome, "outcome");
    }

    public static Decision kill() {
      return new Decision(Outcome.KILL, null);
    }

    public static Decision resume(String reason) {
      return new Decision(Outcome.RESUME, reason);
    }

    public static Decision keepStopped(String reason) {
      return new Decision(Outcome.KEEP_STOPPED, reason);
    }
  }

  /** The stream the image is written to; closing it ends the image (and must not close the connection). */
  OutputStream imageStream() throws IOException;

  /** The image could not be made or sent ({@code reason}); tell the receiver if possible. Must not throw. */
  void imageFailed(String reason);

  /** The whole image was sent (its stream closed): decides the tree's outcome. An exception means RESUME. */
  Decision imageSent() throws IOException;
}
