package org.loomraid.raid;

/**
 * How a RAID chooses the one optimal backend that serves a read. Whatever the policy, reads can
 * also be hedged ({@link RaidStorage.Builder#hedgedReads(HedgedReads)}).
 */
public enum ReadPolicy {
  /** A uniformly random optimal backend per read (the default): spreads load without state. */
  RANDOM,
  /** The optimal backends in turn, in configuration order: an even, predictable spread. */
  ROUND_ROBIN,
  /**
   * The backend that has been answering reads fastest: of two optimal backends drawn at random,
   * the one whose read latency, an exponentially weighted geometric mean over about the last second
   * (so a rare stall does not outweigh a steady difference), is lower ("power of two choices", so
   * concurrent readers do not all pile onto one backend). A
   * backend that has served no read for half a second gets the next one as a probe, so one that
   * recovered or became faster is noticed within seconds, at the cost of one read per backend
   * per half second.
   */
  LEAST_LATENCY
}
