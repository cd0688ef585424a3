package org.loomraid.raid;

/** What a RAID does when it falls below its minimum {@link Redundancy}. */
public enum FailMode {
  /**
   * Close the RAID (the default): every backend is closed, and every call, including the one that
   * caused the failure, is refused with a {@link RaidClosedException}.
   */
  CLOSE,
  /**
   * Refuse writes with a {@link RaidReadOnlyException} and keep serving reads from whatever
   * optimal backends remain; writes resume once recovery restores the minimum redundancy.
   */
  READ_ONLY
}
