package org.loomraid.raid;

/** Where a scrub is; see {@link ScrubHandle}. The last three are final. */
public enum ScrubPhase {
  /** Waiting for a running pack to end, then opening every optimal backend's history. */
  STARTING,
  /** Reading every optimal backend's history in tid order and comparing tid, meta and data. */
  COMPARING,
  /** The comparison is over; waiting for the recoveries that repair the diverged backends. */
  REPAIRING,
  /** The scrub ran to its end; its findings say what differed, if anything. */
  DONE,
  /** The scrub could not go on (see its failure); the next scrub resumes where it stopped. */
  FAILED,
  /** The scrub was cancelled; the next scrub resumes where it stopped. */
  CANCELLED;

  /** Returns whether the scrub has ended in this phase. */
  public boolean isFinal() {
    return this == DONE || this == FAILED || this == CANCELLED;
  }
}
