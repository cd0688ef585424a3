package org.loomraid.backends.cli;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a long-running command has started (servers, storages, RAIDs): closed in reverse order of
 * opening, once, on {@link #close()} or when the JVM is asked to stop (SIGINT, SIGTERM).
 */
final class Running implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Running.class);

  private final Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  /** Adds a resource, to be closed before everything added earlier. */
  <T extends AutoCloseable> T add(T resource) {
    resources.push(resource);
    return resource;
  }

  /** Closes everything when the JVM shuts down; returns this. */
  Running closeOnExit(String name) {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "loomraid-" + name + "-stop"));
    return this;
  }

  /** Waits until {@link #close()} has run (for a command that serves until stopped). */
  void awaitClosed() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
    }
  }

  @Override
  public void close() {
    while (true) {
      AutoCloseable next = resources.poll();
      if (next == null) {
        break;
      }
      try {
        next.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed: {}", next, e.toString());
      }
    }
    closed.countDown();
  }
}
