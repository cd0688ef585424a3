package org.loomraid.raid;

/**
 * The RAID is closed: by {@link RaidStorage#close()}, or because it fell below its minimum
 * redundancy with {@link FailMode#CLOSE}. Every call except {@code name()}, {@code status()},
 * {@code backends()} and {@code close()} is refused with this. Not a
 * {@link org.loomraid.storage.StorageException}: to an outer RAID, a closed inner RAID is a failure.
 */
public class RaidClosedException extends RaidException {

  private static final long serialVersionUID = 1L;

  /** Creates the error with a message saying which RAID is closed and why. */
  public RaidClosedException(String message) {
    super(message);
  }
}
