package org.loomraid.storage;

/**
 * A storage call was interrupted while it waited (for a lock, for I/O, for a peer). A failure, not
 * an answer. The thread's interrupt flag is set again when this is thrown.
 */
public class StorageInterruptedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the failure with a message describing what was interrupted. */
  public StorageInterruptedException(String message, InterruptedException cause) {
    super(message, cause);
  }
}
