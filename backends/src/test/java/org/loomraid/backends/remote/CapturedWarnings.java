package org.loomraid.backends.remote;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Collects the WARN and ERROR lines one class logs, so a test can count them. */
public final class CapturedWarnings extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final Logger logger;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  /** Captures what {@code source}'s logger logs at WARN and above. */
  public CapturedWarnings(Class<?> source) {
    this(source.getName());
  }

  /** Captures what the logger {@code name} (and the loggers below it) log at WARN and above. */
  public CapturedWarnings(String name) {
    logger = (Logger) LoggerFactory.getLogger(name);
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      lines.add(event.getFormattedMessage());
    }
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  public void clear() {
    lines.clear();
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
