package org.loomraid.raid;

/**
 * The minimum redundancy a RAID needs to stay in service. When a degradation leaves less, the RAID
 * fails and its {@link FailMode} applies.
 */
public enum Redundancy {
  /** At least one optimal backend (the default): N backends tolerate N - 1 failures. */
  ANY,
  /**
   * More than half of the configured backends optimal (degraded and added ones count as
   * configured): 3 tolerate 1 failure, 5 tolerate 2, 2 tolerate none. Protects against split brain
   * when several RAID front-ends share backends.
   */
  MAJORITY
}
