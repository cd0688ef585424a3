package org.loomraid.backends.file;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silences a logger while a sweep provokes the same expected warning hundreds of times; restores
 * its level on close. The warning itself is asserted once, in {@code TornTailTest}.
 */
final class QuietLog implements AutoCloseable {

  private final Logger logger;
  private final Level previous;

  private QuietLog(Class<?> owner) {
    this.logger = (Logger) LoggerFactory.getLogger(owner);
    this.previous = logger.getLevel();
    logger.setLevel(Level.ERROR);
  }

  /** Silences WARN and below of {@code owner}'s logger until closed. */
  static QuietLog of(Class<?> owner) {
    return new QuietLog(owner);
  }

  @Override
  public void close() {
    logger.setLevel(previous);
  }
}
