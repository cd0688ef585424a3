package org.loomraid.backends.remote;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the network layer creates threads: named virtual threads whose uncaught
 * exceptions are logged. Every thread's name starts with {@code loomraid-}, then says whose it is.
 */
final class VirtualThreads {

  private static final Logger LOG = LoggerFactory.getLogger(VirtualThreads.class);

  private static final Thread.UncaughtExceptionHandler LOG_UNCAUGHT =
      (thread, error) -> LOG.error("thread {} died unexpectedly", thread.getName(), error);

  private VirtualThreads() {}

  /** Starts {@code task} on a new virtual thread called {@code name}. */
  static Thread start(String name, Runnable task) {
    return Thread.ofVirtual().name(name).uncaughtExceptionHandler(LOG_UNCAUGHT).start(task);
  }
}
