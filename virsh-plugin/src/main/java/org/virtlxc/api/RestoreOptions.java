package org.virtlxc.api;

import java.util.Objects;
import org.virtlxc.checkpoint.SaveListener;
import org.virtlxc.checkpoint.image.RunState;

/**
 * How to restore a save image (virsh {@code restore} flags).
 *
 * @param runState  the state to restore into, or null for the one recorded in the image
 * @param domainXml a domain XML to define the domain with instead of the image's (virsh {@code --xml}); it must name
 *                  the image's domain and UUID; null for the image's
 * @param listener  hears the phases (verify, extract, start)
 */
public record RestoreOptions(RunState runState, String domainXml, SaveListener listener) {
  public RestoreOptions {
    Objects.requireNonNull(listener, "listener");
  }

  /** The image's run state and domain XML. */
  public static RestoreOptions defaults() {
    return new RestoreOptions(null, null, SaveListener.NONE);
  }

  public RestoreOptions withRunState(RunState s) {
    return new RestoreOptions(s, domainXml, listener);
  }

  public RestoreOptions withDomainXml(String xml) {
    return new RestoreOptions(runState, xml, listener);
  }

  public RestoreOptions withListener(SaveListener l) {
    return new RestoreOptions(runState, domainXml, l);
  }
}
