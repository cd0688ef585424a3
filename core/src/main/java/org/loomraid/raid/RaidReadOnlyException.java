package org.loomraid.raid;

/**
 * A write to a RAID that fell below its minimum redundancy with {@link FailMode#READ_ONLY}. Reads
 * are still served; writes resume once recovery restores the minimum redundancy.
 */
public class RaidReadOnlyException extends RaidException {

  private static final long serialVersionUID = 1L;

  /** Creates the error with a message saying which RAID is read-only and why. */
  public RaidReadOnlyException(String message) {
    super(message);
  }
}
