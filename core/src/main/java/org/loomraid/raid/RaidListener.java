package org.loomraid.raid;

/**
 * Receives every backend state transition of a RAID, in the order they happen for that backend.
 * Register with {@link RaidStorage.Builder#listener(RaidListener)}.
 *
 * <p>Called on the thread that caused the transition (a caller of the RAID, or a recovery thread),
 * after the RAID's state lock is released but possibly while that thread holds the RAID commit
 * lock (a backend degraded during a vote or commit): a listener must be quick, must not block, and
 * must not write to the RAID. Whatever it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface RaidListener {

  /** Called once per transition. */
  void onTransition(BackendTransition transition);
}
