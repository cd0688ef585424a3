package org.loomraid.raid;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates every thread of one RAID (the only place that does), and tracks the threads it had to
 * abandon.
 *
 * <p>Every thread is a virtual thread named {@code loomraid-<raid>-<role>}, where the role is the
 * backend's name for work on a backend; an uncaught exception is logged. A thread is
 * <em>abandoned</em> when it did not finish before its fan-out's deadline: it has been interrupted,
 * its result will be ignored, and nobody waits for it. It stays tracked until it ends, so a backend
 * that ignores interrupts shows up in {@link #abandonedCount()} and in the log, and never holds a
 * caller.
 */
final class RaidThreads {

  private static final Logger log = LoggerFactory.getLogger(RaidThreads.class);

  private final String raid;
  private final String prefix;
  private final Thread.UncaughtExceptionHandler handler;
  private final Set<Thread> abandoned = ConcurrentHashMap.newKeySet();

  RaidThreads(String raid) {
    this.raid = raid;
    this.prefix = "loomraid-" + raid + "-";
    this.handler = (thread, e) ->
        log.error("RAID '{}': uncaught exception in thread {}", raid, thread.getName(), e);
  }

  /** Returns the RAID's name. */
  String raid() {
    return raid;
  }

  /** Returns the name of the threads that work for {@code role} (a backend name, or a task). */
  String threadName(String role) {
    return prefix + role;
  }

  /** Returns a new, unstarted virtual thread with the given full name. */
  Thread newThread(String threadName, Runnable task) {
    return Thread.ofVirtual().name(threadName).uncaughtExceptionHandler(handler).unstarted(task);
  }

  /** Starts and returns a virtual thread with the given full name. */
  Thread start(String threadName, Runnable task) {
    Thread thread = newThread(threadName, task);
    thread.start();
    return thread;
  }

  /**
   * Returns a factory for a {@code StructuredTaskScope} whose owner names each thread before it
   * forks it. The factory is confined to the owner thread, which calls it from {@code fork}.
   */
  NamingFactory namingFactory() {
    return new NamingFactory();
  }

  /** A thread factory that gives the next thread the name set last; for one owner thread. */
  final class NamingFactory implements ThreadFactory {
    private String nextName = prefix + "task";

    /** Sets the full name of the next thread this factory creates. */
    void nameNext(String threadName) {
      nextName = threadName;
    }

    @Override
    public Thread newThread(Runnable task) {
      return RaidThreads.this.newThread(nextName, task);
    }
  }

  /**
   * Records that {@code thread} is abandoned (interrupted, not waited for) and logs it. Does
   * nothing if it has already ended.
   */
  void abandon(Thread thread, String why) {
    if (thread == null || !thread.isAlive()) {
      return;
    }
    abandoned.add(thread);
    log.warn("RAID '{}': abandoned thread {} ({}); it is no longer waited for", raid,
        thread.getName(), why);
    if (!thread.isAlive()) {
      abandoned.remove(thread);
    }
  }

  /** Called by an abandoned thread as it ends, so that it is no longer counted. */
  void ended(Thread thread) {
    if (abandoned.remove(thread)) {
      log.info("RAID '{}': abandoned thread {} has ended", raid, thread.getName());
    }
  }

  /** Returns how many abandoned threads are still alive. */
  int abandonedCount() {
    abandoned.removeIf(thread -> !thread.isAlive());
    return abandoned.size();
  }
}
