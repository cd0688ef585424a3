package org.loomraid.raid;

import java.time.Duration;

/**
 * A running (or finished) scrub of a RAID, from {@link RaidAdmin#scrub(ScrubOptions)}. The scrub
 * runs on its own virtual thread; this handle observes and controls it. Thread-safe.
 */
public interface ScrubHandle {

  /** Returns a snapshot of the progress and of what was found so far. */
  ScrubProgress progress();

  /** Returns whether the scrub has ended (done, failed or cancelled). */
  boolean isDone();

  /**
   * Waits up to {@code timeout} for the scrub to end (with repair: for its recoveries to end too).
   *
   * @return whether it has ended; see {@link #progress()} for how
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean await(Duration timeout) throws InterruptedException;

  /**
   * Asks the scrub to stop. It stops at the next step (within about one call timeout) and
   * remembers how far it compared, so that the next scrub continues from there. Recoveries it
   * started to repair backends go on as ordinary recoveries. Does nothing once it has ended.
   */
  void cancel();
}
