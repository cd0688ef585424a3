package org.loomraid.raid;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Hedged reads ("The Tail at Scale"): when the backend a read went to has not answered within a
 * delay, the same read is sent to a second optimal backend, and the first answer wins. Set with
 * {@link RaidStorage.Builder#hedgedReads(HedgedReads)}; off by default.
 *
 * <p>The delay is fixed ({@link #after(Duration)}) or a percentile of the RAID's recent read
 * latencies ({@link #atPercentile(double)}, over the last 30 to 60 seconds; no read is hedged until
 * 100 reads have been measured). A percentile of all reads, not of the backend the read went to:
 * a backend that is slow has a slow percentile of its own, and would never be hedged away from.
 *
 * <p>Hedges are bounded by a budget, a fraction of reads ({@link #budget(double)}, 5 % by default):
 * at most that fraction of reads is ever sent twice (an allowance left unused is saved up for at
 * most 10 hedges), so hedging cannot double the load on backends that are slow because of load.
 *
 * <p>The outcome model holds for both calls: an answer from either (a value, or "not found") is
 * the read's answer; a backend that fails is degraded, also when the other one answered first; a
 * hedged read never holds its caller past the first call's deadline, and the call that lost is not
 * waited for: it runs on to its own end or deadline in the background, where it is judged like any
 * call (a failure or no response degrades its backend). Hedged are {@code load},
 * {@code loadBefore}, {@code loadSerial} and {@code stats} on backends whose reads can block (a
 * read of a backend that never blocks, such as {@code MemoryStorage}, runs on the caller's thread
 * and has nothing to hedge); iterations are not.
 *
 * <p>Immutable.
 */
public final class HedgedReads {

  /** The default budget: 5 % of reads may be sent to a second backend. */
  public static final double DEFAULT_BUDGET = 0.05;

  private final Duration delay;
  private final double percentile;
  private final double budget;

  private HedgedReads(Duration delay, double percentile, double budget) {
    this.delay = delay;
    this.percentile = percentile;
    this.budget = budget;
  }

  /**
   * Hedges a read that has not been answered after {@code delay}.
   *
   * @throws NullPointerException if {@code delay} is null
   * @throws IllegalArgumentException if {@code delay} is negative or zero
   */
  public static HedgedReads after(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative() || delay.isZero()) {
      throw new IllegalArgumentException("hedged reads: delay must be positive, was " + delay);
    }
    return new HedgedReads(delay, Double.NaN, DEFAULT_BUDGET);
  }

  /**
   * Hedges a read that has not been answered when a fraction {@code percentile}/100 of the RAID's
   * recent reads had been: {@code atPercentile(95)} hedges the slowest 5 %, as far as the budget
   * allows.
   *
   * @throws IllegalArgumentException if {@code percentile} is not above 0 and below 100
   */
  public static HedgedReads atPercentile(double percentile) {
    if (!(percentile > 0 && percentile < 100)) {
      throw new IllegalArgumentException(
          "hedged reads: percentile must be above 0 and below 100, was " + percentile);
    }
    return new HedgedReads(null, percentile, DEFAULT_BUDGET);
  }

  /**
   * Returns these settings with a budget of {@code fraction} of reads (above 0, at most 1).
   *
   * @throws IllegalArgumentException if {@code fraction} is not above 0 or is above 1
   */
  public HedgedReads budget(double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException(
          "hedged reads: budget must be a fraction of reads above 0 and at most 1, was "
              + fraction);
    }
    return new HedgedReads(delay, percentile, fraction);
  }

  /** Returns the fixed delay, if the delay is fixed. */
  public Optional<Duration> delay() {
    return Optional.ofNullable(delay);
  }

  /** Returns the percentile of recent read latencies, if the delay follows one. */
  public OptionalDouble percentile() {
    return delay == null ? OptionalDouble.of(percentile) : OptionalDouble.empty();
  }

  /** Returns the fraction of reads that may be hedged. */
  public double budget() {
    return budget;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HedgedReads that && Objects.equals(delay, that.delay)
        && Double.compare(percentile, that.percentile) == 0 && budget == that.budget;
  }

  @Override
  public int hashCode() {
    return Objects.hash(delay, percentile, budget);
  }

  @Override
  public String toString() {
    String when = delay != null ? "after " + Durations.format(delay)
        : "at p" + trim(percentile);
    return "HedgedReads[" + when + ", budget " + trim(budget * 100) + " %]";
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
