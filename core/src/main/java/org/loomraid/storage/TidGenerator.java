package org.loomraid.storage;

import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Chooses new transaction ids: {@code max(now in microseconds since the epoch, last + 1)}.
 *
 * <p>The clock is injectable so that tests can drive time (including a clock that stands still or
 * goes backwards: tids still increase strictly). Instances are stateless and thread-safe; the caller
 * supplies the last tid, under whatever lock serialises its commits.
 */
public final class TidGenerator {

  private static final TidGenerator SYSTEM = new TidGenerator(InstantSource.system());

  private final InstantSource clock;

  private TidGenerator(InstantSource clock) {
    this.clock = clock;
  }

  /** Returns a generator that reads the system clock. */
  public static TidGenerator system() {
    return SYSTEM;
  }

  /** Returns a generator that reads {@code clock}. */
  public static TidGenerator withClock(InstantSource clock) {
    return new TidGenerator(Objects.requireNonNull(clock, "clock"));
  }

  /**
   * Returns the tid for a transaction committed after {@code last}: the current time in
   * microseconds, or {@code last + 1} if the clock has not moved past {@code last}.
   *
   * <p>Never returns a tid above {@link Tid#MAX}: a clock beyond it counts as {@code Tid.MAX}.
   *
   * @param last the last committed tid, {@link Tid#NONE} for an empty storage
   * @throws IdSpaceExhaustedException if {@code last} is at or above {@link Tid#MAX}: no tid is left
   */
  public Tid next(Tid last) {
    Objects.requireNonNull(last, "last");
    if (!last.isBefore(Tid.MAX)) {
      throw new IdSpaceExhaustedException("no tid left after the last transaction " + last
          + ": Tid.MAX (" + Tid.MAX + ") is the last tid a storage accepts");
    }
    long now = Math.min(microsSinceEpoch(clock.instant()), Tid.MAX.value());
    return now > last.value() ? Tid.of(now) : last.next();
  }

  /** A clock before the epoch counts as 0 and one beyond the tid range as the largest tid. */
  private static long microsSinceEpoch(Instant instant) {
    if (instant.isBefore(Instant.EPOCH)) {
      return 0;
    }
    try {
      return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
