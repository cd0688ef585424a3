package org.loomraid.raid;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * A lock-free latency histogram over a recent window, for percentiles: recording is one atomic
 * increment of one bucket (plus, once per interval, the swap to a fresh interval), so it can sit on
 * every backend call (it reads the clock on a bucket's first call and every 64th after).
 *
 * <h2>Buckets</h2>
 * Log-linear, as in HdrHistogram: values below 32 ns have a bucket each; above, every power of two
 * is split into 32 equal buckets, so a bucket is at most 1/32 of its values wide and a percentile
 * is reported within about 1.6 % (the bucket's middle). Values from 2^40 ns (about 18 minutes) up
 * share the top bucket. 1,152 buckets, 9 KiB per interval.
 *
 * <h2>Window</h2>
 * Counts go into the current interval; once it is {@link #INTERVAL} old, a recording that looks at
 * the clock (or a snapshot) starts a fresh one and the old one becomes the previous interval. A snapshot merges the
 * previous and the current interval: percentiles over the last 30 to 60 seconds of calls (over the
 * calls since the last change of interval, if there were none for longer). A recording racing the
 * swap lands in the previous interval, which is still counted; nothing is lost until that interval
 * is dropped a whole interval later.
 */
final class LatencyRecorder {

  /** How long one interval of the window lasts. */
  static final Duration INTERVAL = Duration.ofSeconds(30);

  private static final long CLOCK_EVERY_MASK = 63;
  private static final int SUB_BITS = 5;
  private static final int SUB_COUNT = 1 << SUB_BITS;
  private static final int MAX_EXPONENT = 39;
  private static final long MAX_VALUE = (1L << (MAX_EXPONENT + 1)) - 1;
  static final int BUCKETS = SUB_COUNT + (MAX_EXPONENT - SUB_BITS + 1) * SUB_COUNT;

  private static final VarHandle CURRENT;

  static {
    try {
      CURRENT = MethodHandles.lookup().findVarHandle(LatencyRecorder.class, "current",
          Interval.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One interval's counts. */
  private static final class Interval {
    final long startNanos;
    final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    Interval(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  private final long intervalNanos;
  @SuppressWarnings("unused") // accessed through CURRENT
  private volatile Interval current;
  private volatile Interval previous;

  private final LongSupplier clock;

  LatencyRecorder() {
    this(INTERVAL, System::nanoTime);
  }

  /** A recorder whose intervals last {@code interval} on {@code clock} (for tests). */
  LatencyRecorder(Duration interval, LongSupplier clock) {
    this.intervalNanos = interval.toNanos();
    this.clock = clock;
    current = new Interval(clock.getAsLong());
  }

  /** Records one call that took {@code nanos} (a negative value counts as 0). */
  void record(long nanos) {
    Interval now = (Interval) CURRENT.getAcquire(this);
    long before = now.counts.getAndIncrement(index(nanos));
    // The clock is read on a bucket's 1st, 65th, ... call only: snapshots rotate too.
    if ((before & CLOCK_EVERY_MASK) == 0) {
      rotate(now);
    }
  }

  /** Starts a fresh interval if {@code expired} is still the current one. */
  private void rotate(Interval expired) {
    long now = clock.getAsLong();
    if (now - expired.startNanos >= intervalNanos
        && CURRENT.compareAndSet(this, expired, new Interval(now))) {
      previous = expired;
    }
  }

  /** Returns the counts of the window (the previous and the current interval). */
  Snapshot snapshot() {
    Interval now = (Interval) CURRENT.getAcquire(this);
    rotate(now);
    now = (Interval) CURRENT.getAcquire(this);
    Interval before = previous;
    long[] counts = new long[BUCKETS];
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      long count = now.counts.get(i) + (before == null || before == now ? 0 : before.counts.get(i));
      counts[i] = count;
      total += count;
    }
    return new Snapshot(counts, total);
  }

  /** The counts of one window, read once; percentiles are computed from them. */
  static final class Snapshot {
    private final long[] counts;
    private final long total;

    private Snapshot(long[] counts, long total) {
      this.counts = counts;
      this.total = total;
    }

    /** Returns how many calls the window holds. */
    long count() {
      return total;
    }

    /**
     * Returns the latency at {@code percentile} (0 to 100, exclusive of 0), as the middle of the
     * bucket that holds it, or 0 when the window is empty.
     */
    long valueAt(double percentile) {
      if (total == 0) {
        return 0;
      }
      long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= rank) {
          return middle(i);
        }
      }
      return middle(counts.length - 1);
    }

    /** Returns the latency at {@code percentile} as a duration; see {@link #valueAt}. */
    Duration at(double percentile) {
      return Duration.ofNanos(valueAt(percentile));
    }
  }

  /** Returns the bucket of {@code nanos}. */
  static int index(long nanos) {
    long value = Math.min(Math.max(nanos, 0), MAX_VALUE);
    if (value < SUB_COUNT) {
      return (int) value;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(value);
    int sub = (int) (value >>> (exponent - SUB_BITS)) - SUB_COUNT;
    return SUB_COUNT + (exponent - SUB_BITS) * SUB_COUNT + sub;
  }

  /** Returns the smallest value of bucket {@code index}. */
  static long lowest(int index) {
    if (index < SUB_COUNT) {
      return index;
    }
    int exponent = (index - SUB_COUNT) / SUB_COUNT + SUB_BITS;
    long sub = (index - SUB_COUNT) % SUB_COUNT + SUB_COUNT;
    return sub << (exponent - SUB_BITS);
  }

  /** Returns the middle of bucket {@code index}: what a percentile falling in it reports. */
  static long middle(int index) {
    if (index < SUB_COUNT) {
      return index;
    }
    int exponent = (index - SUB_COUNT) / SUB_COUNT + SUB_BITS;
    long width = 1L << (exponent - SUB_BITS);
    return lowest(index) + width / 2;
  }
}
