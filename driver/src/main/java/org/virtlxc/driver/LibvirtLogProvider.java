package org.virtlxc.driver;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.message.MessageFactory;
import org.apache.logging.log4j.message.ParameterizedMessageFactory;
import org.apache.logging.log4j.spi.ExtendedLogger;
import org.apache.logging.log4j.spi.LoggerContext;
import org.apache.logging.log4j.spi.LoggerContextFactory;
import org.apache.logging.log4j.spi.Provider;

/**
 * The controller's Log4j API provider, selected by {@link ControllerLogging#configure} through {@code log4j.provider}:
 * one context of {@link LibvirtFormatLogger}s at the level {@code LIBVIRT_DEBUG} asks for. Log4j Core (a few hundred
 * milliseconds and several MiB to initialise) is not loaded by the controller; the virt-lxc command still uses it.
 */
public final class LibvirtLogProvider extends Provider {
  public LibvirtLogProvider() {
    super(5, "2.6.0", Factory.class);
  }

  /** The one context of the process. */
  public static final class Factory implements LoggerContextFactory {
    private static final Context CONTEXT = new Context();

    @Override
    public LoggerContext getContext(String fqcn, ClassLoader loader, Object externalContext, boolean currentContext) {
      return CONTEXT;
    }

    @Override
    public LoggerContext getContext(String fqcn, ClassLoader loader, Object externalContext, boolean currentContext,
        URI configLocation, String name) {
      return CONTEXT;
    }

    @Override
    public void removeContext(LoggerContext context) {}

    @Override
    public boolean isClassLoaderDependent() {
      return false;
    }
  }

  private static final class Context implements LoggerContext {
    private final Map<String, ExtendedLogger> loggers = new ConcurrentHashMap<>();
    private final Level level = Level.toLevel(System.getProperty(ControllerLogging.LEVEL_PROPERTY), Level.WARN);

    @Override
    public Object getExternalContext() {
      return null;
    }

    @Override
    public ExtendedLogger getLogger(String name) {
      return getLogger(name, null);
    }

    @Override
    public ExtendedLogger getLogger(String name, MessageFactory messageFactory) {
      return loggers.computeIfAbsent(name, n -> new LibvirtFormatLogger(n, level,
          messageFactory != null ? messageFactory : ParameterizedMessageFactory.INSTANCE, System.err));
    }

    @Override
    public boolean hasLogger(String name) {
      return loggers.containsKey(name);
    }

    @Override
    public boolean hasLogger(String name, MessageFactory messageFactory) {
      return loggers.containsKey(name);
    }

    @Override
    public boolean hasLogger(String name, Class<? extends MessageFactory> messageFactoryClass) {
      return loggers.containsKey(name);
    }
  }
}
