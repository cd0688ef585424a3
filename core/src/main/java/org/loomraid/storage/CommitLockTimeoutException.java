package org.loomraid.storage;

import java.time.Duration;

/**
 * A transaction could not take the storage's commit lock within the configured bound, because
 * another transaction held it (between its vote and its commit or abort) for that long.
 */
public class CommitLockTimeoutException extends StorageException {

  private static final long serialVersionUID = 1L;

  /** Creates the answer for storage {@code name} after waiting {@code waited}. */
  public CommitLockTimeoutException(String name, Duration waited) {
    super("storage '" + name + "': commit lock not acquired within " + waited
        + " (another transaction is between vote and commit)");
  }

  /**
   * Creates the answer for storage {@code name} after waiting {@code waited} for a lock held by
   * {@code holder} (for example {@code "a pack"}), named in the message.
   */
  public CommitLockTimeoutException(String name, Duration waited, String holder) {
    super("storage '" + name + "': commit lock not acquired within " + waited + " (held by "
        + holder + ")");
  }
}
