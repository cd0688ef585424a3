package org.loomraid.raid;

/**
 * Receives every backend state transition of a RAID, in the order they happen for that backend.
 * Register with {@link RaidStorage.Builder#listener(RaidListener)}.
 *
 * <p>Called on the thread that caused the transition (a caller of the RAID, or a recovery thread),
 * after the RAID's locks are released: a listener must be quick and must not block. Whatever it
 * throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface RaidListener {

  /** Called once per transition. */
  void onTransition(BackendTransition transition);
}
