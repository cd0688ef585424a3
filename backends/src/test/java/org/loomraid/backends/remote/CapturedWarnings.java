package org.loomraid.backends.remote;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Collects the WARN and ERROR lines one class (or package) logs, so a test can count them. */
public final class CapturedWarnings extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final Logger logger;
  private final boolean quiet;
  private final boolean wasAdditive;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();

  /** Captures what {@code source}'s logger logs at WARN and above. */
  public CapturedWarnings(Class<?> source) {
    this(source.getName(), false);
  }

  /**
   * Captures what the logger {@code name} and the loggers below it log at WARN and above; if
   * {@code quiet}, they no longer reach the console meanwhile (for tests that provoke thousands).
   */
  public CapturedWarnings(String name, boolean quiet) {
    logger = (Logger) LoggerFactory.getLogger(name);
    this.quiet = quiet;
    this.wasAdditive = logger.isAdditive();
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
    if (quiet) {
      logger.setAdditive(false);
    }
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      lines.add(event.getFormattedMessage());
    }
    if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
      IThrowableProxy thrown = event.getThrowableProxy();
      errors.add(event.getLoggerName() + ": " + event.getFormattedMessage()
          + (thrown == null ? "" : " (" + thrown.getClassName() + ": " + thrown.getMessage() + ")"));
    }
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The ERROR lines only, with the exception each carried. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  public void clear() {
    lines.clear();
    errors.clear();
  }

  @Override
  public void close() {
    if (quiet) {
      logger.setAdditive(wasAdditive);
    }
    logger.detachAppender(this);
    stop();
  }
}
