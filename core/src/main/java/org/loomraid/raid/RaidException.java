package org.loomraid.raid;

/**
 * An error of the RAID itself (read-only, no working backend, no backend left to serve a call), as
 * opposed to an answer from its backends. Deliberately not a
 * {@link org.loomraid.storage.StorageException}: when a RAID is the backend of another RAID, the
 * inner RAID's error is a failure for the outer one. A closed RAID throws
 * {@link RaidClosedException}, which is a {@link org.loomraid.storage.StorageClosedException} like
 * every closed storage's (and so, likewise, a failure, not an answer).
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
