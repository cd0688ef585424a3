package org.loomraid.raid;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How fast one backend has been answering reads, for {@link ReadPolicy#LEAST_LATENCY}: an
 * exponentially weighted mean of the logarithm of its read latencies (a geometric mean, so that a
 * rare stall of a hundred times the usual latency moves it by a factor of a few, not a hundred,
 * while a backend that is steadily slower stays so), whose weights decay with time, not with the
 * number of samples (a sample {@code dt} after the previous one moves the mean by
 * {@code 1 - e^(-dt/tau)} of the difference, {@code tau} = 1 second). The mean thus covers about
 * the last second whatever the read rate, and the first sample after a long pause counts for
 * nearly everything.
 *
 * <p>It also says when the backend is due for a probe: when no read has been sent to it for
 * {@link #PROBE_INTERVAL_NANOS}; one caller claims the probe by a compare-and-set, the others go
 * on as before.
 *
 * <p>Lock-free and racy by design: two samples landing at once may count as one. Only the policy
 * reads and writes it.
 */
final class ReadLatency {

  /** The time constant of the mean: about the last second of reads counts. */
  static final double TAU_NANOS = 1e9;

  /** A backend not read from for this long gets the next read as a probe. */
  static final long PROBE_INTERVAL_NANOS = 500_000_000L;

  /** How stale the time of the last pick may get before it is written again. */
  private static final long PICK_GRANULARITY_NANOS = 1_000_000L;

  private volatile double logMean = Double.NaN;
  private volatile long sampledAt;
  private final AtomicLong pickedAt = new AtomicLong(System.nanoTime() - PROBE_INTERVAL_NANOS);

  /** Adds one read that took {@code nanos}, ended at {@code now}. */
  void sample(long nanos, long now) {
    double value = Math.log(Math.max(nanos, 1));
    double mean = logMean;
    if (Double.isNaN(mean)) {
      logMean = value;
    } else {
      double weight = 1 - Math.exp(-Math.max(0, now - sampledAt) / TAU_NANOS);
      logMean = mean + weight * (value - mean);
    }
    sampledAt = now;
  }

  /**
   * Returns the logarithm of the (geometric) mean read latency in nanoseconds, for comparisons;
   * negative infinity if the backend was never read from, so that it is tried first.
   */
  double score() {
    double mean = logMean;
    return Double.isNaN(mean) ? Double.NEGATIVE_INFINITY : mean;
  }

  /** Returns the geometric mean read latency in nanoseconds, or 0 if never read from. */
  double mean() {
    double mean = logMean;
    return Double.isNaN(mean) ? 0 : Math.exp(mean);
  }

  /** Records that a read went to this backend at {@code now}. */
  void picked(long now) {
    long last = pickedAt.get();
    if (now - last > PICK_GRANULARITY_NANOS) {
      pickedAt.compareAndSet(last, now);
    }
  }

  /**
   * Claims a probe: true (for one caller) if no read went to this backend for the probe interval
   * before {@code now}.
   */
  boolean claimProbe(long now) {
    long last = pickedAt.get();
    return now - last >= PROBE_INTERVAL_NANOS && pickedAt.compareAndSet(last, now);
  }
}
