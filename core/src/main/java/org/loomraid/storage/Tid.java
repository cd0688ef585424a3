package org.loomraid.storage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A transaction id: names one committed transaction and orders all of them.
 *
 * <p>Tids are totally ordered by value. New tids are derived from time, as microseconds since
 * the epoch, and are strictly increasing within a storage (see {@link TidGenerator}). The serial of
 * a {@link Revision} is the tid of the transaction that wrote it. {@link #NONE} ({@code 0}) means
 * "no transaction": the last transaction of an empty storage, and the expected serial when storing
 * a new object.
 *
 * @param value microseconds since the epoch, or {@code 0} for {@link #NONE}; never negative
 */
public record Tid(long value) implements Comparable<Tid> {

  /** "No transaction": the last tid of an empty storage and the serial a new object is stored with. */
  public static final Tid NONE = new Tid(0);

  /**
   * The last tid of the range every storage accepts: 9999-12-31T23:59:59.999999Z. A caller-chosen
   * tid above it ({@link Storage#begin(TransactionMeta, Tid)}, {@link Storage#restore}) is refused
   * with an {@link IllegalArgumentException}; a storage whose last transaction is at it has used up
   * its tids and answers further commits with {@link IdSpaceExhaustedException}. Far beyond any tid a
   * clock produces, and far enough below {@link Long#MAX_VALUE} that {@link #next()} never overflows
   * for a tid in range.
   */
  public static final Tid MAX = new Tid(253_402_300_799_999_999L);

  /**
   * Creates a tid.
   *
   * @throws IllegalArgumentException if {@code value} is negative
   */
  public Tid {
    if (value < 0) {
      throw new IllegalArgumentException("tid must be >= 0, was " + value);
    }
  }

  /** Returns the tid with the given value. */
  public static Tid of(long value) {
    return value == 0 ? NONE : new Tid(value);
  }

  /** Returns the tid for the given instant, truncated to microseconds. */
  public static Tid of(Instant instant) {
    return of(ChronoUnit.MICROS.between(Instant.EPOCH, instant));
  }

  /** Returns whether this is {@link #NONE}. */
  public boolean isNone() {
    return value == 0;
  }

  /**
   * Returns the smallest tid greater than this one.
   *
   * @throws ArithmeticException if this tid is {@link Long#MAX_VALUE} (never for a tid in range)
   */
  public Tid next() {
    return new Tid(Math.addExact(value, 1));
  }

  /** Returns whether this tid is within the range storages accept: at most {@link #MAX}. */
  public boolean isInRange() {
    return value <= MAX.value;
  }

  /** Returns whether this tid orders after {@code other}. */
  public boolean isAfter(Tid other) {
    return value > other.value;
  }

  /** Returns whether this tid orders before {@code other}. */
  public boolean isBefore(Tid other) {
    return value < other.value;
  }

  /** Returns the instant this tid was derived from (microsecond precision). */
  public Instant instant() {
    return Instant.EPOCH.plus(value, ChronoUnit.MICROS);
  }

  /**
   * Throws {@link IllegalArgumentException} naming {@code what} if {@code tid} is null or
   * {@link #NONE}; returns it otherwise. For arguments that must name a real transaction.
   */
  public static Tid requireReal(Tid tid, String what) {
    if (tid == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (tid.isNone()) {
      throw new IllegalArgumentException(what + " must be a real tid, not Tid.NONE");
    }
    return tid;
  }

  /**
   * Throws {@link IllegalArgumentException} naming {@code what} if {@code tid} is above
   * {@link #MAX}; returns it otherwise.
   *
   * @throws NullPointerException if {@code tid} is null
   */
  public static Tid checkInRange(Tid tid, String what) {
    if (tid.value > MAX.value) {
      throw new IllegalArgumentException(what + " " + tid + " is above Tid.MAX (" + MAX
          + "), the last tid a storage accepts");
    }
    return tid;
  }

  @Override
  public int compareTo(Tid other) {
    return Long.compare(value, other.value);
  }

  /** Returns {@code tid 0x<16 hex digits> (<instant>)}, or {@code tid NONE}. */
  @Override
  public String toString() {
    if (isNone()) {
      return "tid NONE";
    }
    return isInRange() ? String.format("tid 0x%016x (%s)", value, instant())
        : String.format("tid 0x%016x", value);
  }
}
