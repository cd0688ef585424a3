package org.loomraid.raid;

/**
 * The state of a RAID as a whole, from {@link RaidStorage#status()}. The first that applies wins,
 * in this order: {@link #CLOSED}, {@link #FAILED}, {@link #RECOVERING}, {@link #DEGRADED},
 * {@link #OPTIMAL}.
 */
public enum RaidStatus {
  /** Every backend is optimal. */
  OPTIMAL,
  /** At least one backend is degraded; the RAID serves reads and writes with the rest. */
  DEGRADED,
  /** A backend is being recovered; the RAID serves reads and writes with the optimal ones. */
  RECOVERING,
  /**
   * The RAID is below its minimum redundancy and still open: writes are refused, reads are served
   * while an optimal backend remains. It happens with {@link FailMode#READ_ONLY}, and at startup
   * with {@link RaidStorage.Builder#autoRecover(boolean)} while laggards are being recovered;
   * writes resume when recovery restores the minimum redundancy.
   */
  FAILED,
  /** The RAID was closed (by its user, or by {@link FailMode#CLOSE}); every call is refused. */
  CLOSED
}
