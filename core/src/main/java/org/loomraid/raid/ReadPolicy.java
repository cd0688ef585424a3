package org.loomraid.raid;

/** How a RAID chooses the one optimal backend that serves a read. */
public enum ReadPolicy {
  /** A uniformly random optimal backend per read (the default): spreads load without state. */
  RANDOM,
  /** The optimal backends in turn, in configuration order: an even, predictable spread. */
  ROUND_ROBIN
}
