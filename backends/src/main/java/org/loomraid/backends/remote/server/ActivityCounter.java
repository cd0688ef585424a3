package org.loomraid.backends.remote.server;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the server's unfinished work (requests being executed, transactions voted but not yet
 * committed or aborted) so that a graceful shutdown can wait, up to a bound, until there is none.
 */
final class ActivityCounter {

  /** Guards {@link #active}; {@link #idle} is signalled when it drops to zero. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private long active;

  void begin() {
    lock.lock();
    try {
      active++;
    } finally {
      lock.unlock();
    }
  }

  void end() {
    lock.lock();
    try {
      if (--active == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  long active() {
    lock.lock();
    try {
      return active;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until nothing is active or {@code timeoutNanos} have passed.
   *
   * @return whether nothing is active
   */
  boolean awaitIdle(long timeoutNanos) throws InterruptedException {
    lock.lock();
    try {
      long remaining = timeoutNanos;
      while (active > 0) {
        if (remaining <= 0) {
          return false;
        }
        remaining = idle.awaitNanos(remaining);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
