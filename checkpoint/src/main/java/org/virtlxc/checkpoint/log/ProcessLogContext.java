package org.virtlxc.checkpoint.log;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.apache.logging.log4j.message.MessageFactory;
import org.apache.logging.log4j.message.ParameterizedMessageFactory;
import org.apache.logging.log4j.spi.ExtendedLogger;
import org.apache.logging.log4j.spi.LoggerContext;
import org.apache.logging.log4j.spi.LoggerContextFactory;

/**
 * The one Log4j API context of a virt-lxc process whose own light provider writes its log lines (the controller, the
 * {@code virt-lxc} command), in place of Log4j Core: one logger per name, made by the provider's function.
 */
public final class ProcessLogContext implements LoggerContext {
  private final Map<String, ExtendedLogger> loggers = new ConcurrentHashMap<>();
  private final BiFunction<String, MessageFactory, ExtendedLogger> newLogger;

  /** {@code newLogger} makes the logger of a name, with the message factory asked for or Log4j's default. */
  public ProcessLogContext(BiFunction<String, MessageFactory, ExtendedLogger> newLogger) {
    this.newLogger = newLogger;
  }

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
    return loggers.computeIfAbsent(name, n -> newLogger.apply(n,
        messageFactory != null ? messageFactory : ParameterizedMessageFactory.INSTANCE));
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

  /**
   * The factory half of a provider: every request gets the one context. A provider's factory extends it with a public
   * no-argument constructor (Log4j makes it by reflection).
   */
  public abstract static class Factory implements LoggerContextFactory {
    private final LoggerContext context;

    protected Factory(LoggerContext context) {
      this.context = context;
    }

    @Override
    public LoggerContext getContext(String fqcn, ClassLoader loader, Object externalContext, boolean currentContext) {
      return context;
    }

    @Override
    public LoggerContext getContext(String fqcn, ClassLoader loader, Object externalContext, boolean currentContext,
        URI configLocation, String name) {
      return context;
    }

    @Override
    public void removeContext(LoggerContext context) {}

    @Override
    public boolean isClassLoaderDependent() {
      return false;
    }
  }
}
