package org.loomraid.backends.remote.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a client creates threads: named virtual threads whose uncaught exceptions
 * are logged at ERROR. Every name starts with {@code loomraid-remote-}, then the server's address
 * and the role.
 */
final class ClientThreads {

  private static final Logger LOG = LoggerFactory.getLogger(ClientThreads.class);

  private static final Thread.UncaughtExceptionHandler LOG_UNCAUGHT =
      (thread, error) -> LOG.error("thread {} died unexpectedly", thread.getName(), error);

  private ClientThreads() {}

  /** Starts {@code task} on a new virtual thread called {@code name}. */
  static Thread start(String name, Runnable task) {
    return Thread.ofVirtual().name(name).uncaughtExceptionHandler(LOG_UNCAUGHT).start(task);
  }
}
