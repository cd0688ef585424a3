package org.loomraid.raid;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Call counts and latency of one backend, recorded by the threads that call it. Lock-free. */
final class BackendStats {

  private final LongAdder calls = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder totalNanos = new LongAdder();
  private final AtomicLong maxNanos = new AtomicLong();
  /** A moving average of the latest calls' latency (racy updates: a hint, not a statistic). */
  private volatile long recentNanos;

  /** Records one call that took {@code nanos}; {@code failed} if it was a failure (not an answer). */
  void record(long nanos, boolean failed) {
    calls.increment();
    if (failed) {
      failures.increment();
    }
    totalNanos.add(nanos);
    long recent = recentNanos;
    recentNanos = recent + (nanos - recent) / 8;
    if (nanos > maxNanos.get()) {
      maxNanos.accumulateAndGet(nanos, Math::max);
    }
  }

  /** Records one call that gave no answer within {@code nanos}. */
  void recordFailure(long nanos) {
    record(nanos, true);
  }

  /** Returns the moving average of the latest calls' latency, in nanoseconds (0 before any). */
  long recentNanos() {
    return recentNanos;
  }

  long calls() {
    return calls.sum();
  }

  long failures() {
    return failures.sum();
  }

  Duration meanLatency() {
    long n = calls.sum();
    return n == 0 ? Duration.ZERO : Duration.ofNanos(totalNanos.sum() / n);
  }

  Duration maxLatency() {
    return Duration.ofNanos(maxNanos.get());
  }
}
