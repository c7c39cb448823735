package org.virtlxc.driver;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.spi.Provider;
import org.virtlxc.checkpoint.log.ProcessLogContext;

/**
 * The controller's Log4j API provider, selected by {@link ControllerLogging#configure} through {@code log4j.provider}:
 * one context of {@link LibvirtFormatLogger}s at the level {@code LIBVIRT_DEBUG} asks for. Log4j Core (a few hundred
 * milliseconds and several MiB to initialise) is not loaded by the controller.
 */
public final class LibvirtLogProvider extends Provider {
  public LibvirtLogProvider() {
    super(5, "2.6.0", Factory.class);
  }

  /** The one context of the process. */
  public static final class Factory extends ProcessLogContext.Factory {
    private static final Level LEVEL = Level.toLevel(System.getProperty(ControllerLogging.LEVEL_PROPERTY), Level.WARN);
    private static final ProcessLogContext CONTEXT = new ProcessLogContext((name, messageFactory) ->
        new LibvirtFormatLogger(name, LEVEL, messageFactory, System.err));

    public Factory() {
      super(CONTEXT);
    }
  }
}
