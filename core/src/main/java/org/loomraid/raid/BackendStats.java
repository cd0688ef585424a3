package org.loomraid.raid;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Call counts and latency of one backend, recorded by the threads that call it, and passed on to
 * the user's {@link RaidMetrics} meter if there is one. Lock-free: a call costs a few adders, one
 * bucket of the {@link LatencyRecorder}, and nothing more without a meter.
 */
final class BackendStats {

  private static final Logger log = LoggerFactory.getLogger(BackendStats.class);

  private final LongAdder calls = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder totalNanos = new LongAdder();
  private final AtomicLong maxNanos = new AtomicLong();
  private final LatencyRecorder recent = new LatencyRecorder();
  /** A moving average of the latest calls' latency (racy updates: a hint, not a statistic). */
  private volatile long movingNanos;
  private volatile RaidMetrics.BackendMeter meter;
  private volatile boolean meterFailed;

  /** Records one call that took {@code nanos}; {@code failed} if it was a failure (not an answer). */
  void record(long nanos, boolean failed) {
    calls.increment();
    if (failed) {
      failures.increment();
    }
    totalNanos.add(nanos);
    long moving = movingNanos;
    movingNanos = moving + (nanos - moving) / 8;
    if (nanos > maxNanos.get()) {
      maxNanos.accumulateAndGet(nanos, Math::max);
    }
    recent.record(nanos);
    RaidMetrics.BackendMeter user = meter;
    if (user != null) {
      report(user, nanos, failed);
    }
  }

  /** Passes a call on to the user's meter; what it throws never reaches the backend's call. */
  private void report(RaidMetrics.BackendMeter user, long nanos, boolean failed) {
    try {
      user.call(nanos, failed);
    } catch (RuntimeException e) {
      if (!meterFailed) {
        meterFailed = true;
        log.warn("RaidMetrics meter {} failed; its further failures are logged at DEBUG", user, e);
      } else {
        log.debug("RaidMetrics meter {} failed", user, e);
      }
    }
  }

  /** Records one call that gave no answer within {@code nanos}. */
  void recordFailure(long nanos) {
    record(nanos, true);
  }

  /** Returns the moving average of the latest calls' latency, in nanoseconds (0 before any). */
  long recentNanos() {
    return movingNanos;
  }

  /** Sets the user's meter for this backend's calls (null: none). */
  void meter(RaidMetrics.BackendMeter userMeter) {
    meter = userMeter;
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

  /** Returns the latencies of the last 30 to 60 seconds of calls, for percentiles. */
  LatencyRecorder.Snapshot recent() {
    return recent.snapshot();
  }
}
