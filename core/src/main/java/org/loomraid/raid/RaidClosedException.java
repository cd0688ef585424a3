package org.loomraid.raid;

import org.loomraid.storage.StorageClosedException;

/**
 * The RAID is closed: by {@link RaidStorage#close()}, or because it fell below its minimum
 * redundancy with {@link FailMode#CLOSE}. Every call except {@code name()}, {@code status()},
 * {@code backends()} and {@code close()} is refused with this.
 *
 * <p>It is a {@link StorageClosedException}, because a RAID is a storage and a closed storage
 * throws that (code written against {@link org.loomraid.storage.Storage} catches it); like every
 * closed storage's, it is a failure, not a {@link org.loomraid.storage.StorageException} answer, so
 * a closed inner RAID is a failure for an outer one. The message says why the RAID closed.
 */
public class RaidClosedException extends StorageClosedException {

  private static final long serialVersionUID = 1L;

  private final String message;

  /**
   * Creates the error for RAID {@code raid} with a message saying why it is closed.
   *
   * @param raid the RAID's name
   * @param message the full message
   */
  public RaidClosedException(String raid, String message) {
    super(raid);
    this.message = message;
  }

  @Override
  public String getMessage() {
    return message;
  }
}
