package org.loomraid.storage;

/**
 * A request is over one of a storage's declared {@link StorageLimits}: the caller's error, refused
 * before anything is written. The message names the storage, the limit, the value and the bound.
 */
public class LimitExceededException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String limit;
  private final long value;
  private final long bound;

  /**
   * Creates the refusal.
   *
   * @param storage the refusing storage's name
   * @param limit the name of the limit ({@code "maxRecordSize"}, ...)
   * @param value the size that was asked for
   * @param bound the limit's value
   * @param what what was too large, for the message ({@code "the data of oid 0x..."})
   */
  public LimitExceededException(String storage, String limit, long value, long bound, String what) {
    super(what + " is " + value + " bytes, more than " + limit + " = " + bound
        + " of storage '" + storage + "'");
    this.limit = limit;
    this.value = value;
    this.bound = bound;
  }

  /**
   * Creates the refusal with a message already formatted (for example, as received from a remote
   * storage).
   */
  public LimitExceededException(String message, String limit, long value, long bound) {
    super(message);
    this.limit = limit;
    this.value = value;
    this.bound = bound;
  }

  /** Returns the name of the limit that was exceeded ({@code "maxRecordSize"}, ...). */
  public String limit() {
    return limit;
  }

  /** Returns the size that was asked for. */
  public long value() {
    return value;
  }

  /** Returns the limit's value. */
  public long bound() {
    return bound;
  }
}
