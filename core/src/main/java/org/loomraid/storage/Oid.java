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
