package org.loomraid.raid;

import java.time.Duration;

/**
 * A running (or finished) recovery of one backend, from {@link RaidAdmin#recover(String)}. The
 * recovery runs on its own virtual thread; this handle observes and controls it. Thread-safe.
 */
public interface RecoveryHandle {

  /** Returns the name of the backend being recovered. */
  String backend();

  /** Returns a snapshot of the progress. */
  RecoveryProgress progress();

  /** Returns whether the recovery has ended (done, failed or cancelled). */
  boolean isDone();

  /**
   * Waits up to {@code timeout} for the recovery to end.
   *
   * @return whether it has ended; see {@link #progress()} for how
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean await(Duration timeout) throws InterruptedException;

  /**
   * Asks the recovery to stop. It stops at the next transaction boundary (or before promotion),
   * leaves the backend DEGRADED "recovery cancelled" and keeps what was copied, so a later
   * recovery continues from there. Does nothing once the recovery has ended or is promoting.
   */
  void cancel();
}
