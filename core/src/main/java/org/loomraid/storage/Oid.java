package org.loomraid.storage;

/**
 * An object id: names one object across all of its revisions.
 *
 * <p>Object ids are non-negative. Storages hand out new ones with {@link Storage#newOid()};
 * {@link #ROOT} ({@code 0}) is never allocated by {@code newOid()}, so an application can use it
 * as a well-known entry point.
 *
 * @param value the id, {@code >= 0}
 */
public record Oid(long value) implements Comparable<Oid> {

  /** The well-known object id {@code 0}; never returned by {@link Storage#newOid()}. */
  public static final Oid ROOT = new Oid(0);

  /**
   * The largest object id a storage accepts: 2<sup>62</sup> - 1. Storing, reserving or restoring an
   * id above it is refused with an {@link IllegalArgumentException}; once a storage's counter is at
   * it, {@link Storage#newOid()} answers {@link IdSpaceExhaustedException}. The headroom above it
   * lets storages round reservations up to block boundaries without overflowing.
   */
  public static final Oid MAX = new Oid((1L << 62) - 1);

  /**
   * Creates an object id.
   *
   * @throws IllegalArgumentException if {@code value} is negative
   */
  public Oid {
    if (value < 0) {
      throw new IllegalArgumentException("oid must be >= 0, was " + value);
    }
  }

  /** Returns the object id with the given value. */
  public static Oid of(long value) {
    return new Oid(value);
  }

  /** Returns whether this id is within the range storages accept: at most {@link #MAX}. */
  public boolean isInRange() {
    return value <= MAX.value;
  }

  /**
   * Throws {@link IllegalArgumentException} naming {@code what} if {@code oid} is above
   * {@link #MAX}; returns it otherwise.
   *
   * @throws NullPointerException if {@code oid} is null
   */
  public static Oid checkInRange(Oid oid, String what) {
    if (oid.value > MAX.value) {
      throw new IllegalArgumentException(what + " " + oid + " is above Oid.MAX (" + MAX
          + "), the largest object id a storage accepts");
    }
    return oid;
  }

  /**
   * Returns the id after {@code counter}, the value of an OID counter.
   *
   * @param storage the storage's name, for the message
   * @throws IdSpaceExhaustedException if {@code counter >= Oid.MAX}
   */
  public static Oid after(long counter, String storage) {
    if (counter >= MAX.value) {
      throw new IdSpaceExhaustedException("storage '" + storage + "' has no object id left: its"
          + " counter is at " + new Oid(counter) + ", and Oid.MAX is " + MAX);
    }
    return new Oid(counter + 1);
  }

  @Override
  public int compareTo(Oid other) {
    return Long.compare(value, other.value);
  }

  /** Returns {@code oid 0x<16 hex digits>}. */
  @Override
  public String toString() {
    return String.format("oid 0x%016x", value);
  }
}
