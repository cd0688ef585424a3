package org.loomraid.raid;

/** The state of one backend of a RAID. */
public enum BackendState {
  /** Open and in service: gets every write and its share of the reads. */
  OPTIMAL,
  /**
   * Out of service and closed, with a reason (an error in a named call, no answer within the
   * deadline, an inconsistent result, missing transactions, disabled by operator, added). Gets no
   * traffic until it is recovered.
   */
  DEGRADED,
  /** Open and being brought up to date by recovery; gets no client traffic. */
  RECOVERING
}
