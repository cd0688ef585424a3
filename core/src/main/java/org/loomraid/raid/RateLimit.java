package org.loomraid.raid;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The byte-rate limit that recovery and scrub each apply to their own reads (separate settings,
 * one rule): a batch is at most a quarter of a second's worth of bytes, and after each batch the
 * worker waits until its mean rate since the batch began is back under the limit. A limit of 0
 * means none.
 */
final class RateLimit {

  private RateLimit() {}

  /**
   * Returns how many bytes one batch may read under {@code limit} bytes per second, at most
   * {@code batchBytes} and at least one (every batch makes progress).
   */
  static long batchBytes(long limit, long batchBytes) {
    return limit == 0 ? batchBytes : Math.max(1, Math.min(batchBytes, limit / 4));
  }

  /**
   * Parks the calling thread until {@code bytes} read since {@code startNanos} are within
   * {@code limit} bytes per second, or {@code cancelled} says to stop waiting. Takes no lock:
   * callers must not hold the commit lock.
   */
  static void await(long limit, long startNanos, long bytes, BooleanSupplier cancelled,
      Object blocker) {
    if (limit == 0) {
      return;
    }
    long due = startNanos + (long) (bytes * 1e9 / limit);
    for (long wait = due - System.nanoTime(); wait > 0 && !cancelled.getAsBoolean();
        wait = due - System.nanoTime()) {
      LockSupport.parkNanos(blocker, wait);
    }
  }
}
