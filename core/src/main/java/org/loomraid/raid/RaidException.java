package org.loomraid.raid;

/**
 * An error of the RAID itself (closed, read-only, no working backend), as opposed to an answer
 * from its backends. Deliberately not a {@link org.loomraid.storage.StorageException}: when a RAID
 * is the backend of another RAID, a closed inner RAID is a failure for the outer one.
 */
public class RaidException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates an error with a message. */
  public RaidException(String message) {
    super(message);
  }

  /** Creates an error with a message and a cause. */
  public RaidException(String message, Throwable cause) {
    super(message, cause);
  }
}
