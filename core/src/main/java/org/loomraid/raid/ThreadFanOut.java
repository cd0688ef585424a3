package org.loomraid.raid;

/**
 * The parallel fan-out on plain virtual threads: starts one thread per slot, waits once for all of
 * them until the deadline, then interrupts and abandons whatever has not finished.
 */
final class ThreadFanOut extends FanOut {

  @Override
  FanOutKind kind() {
    return FanOutKind.VIRTUAL_THREADS;
  }

  @Override
  void execute(Round<?> round) {
    for (Round.Slot<?> slot : round.slots()) {
      slot.start();
    }
    round.awaitAll();
    round.abandonUnfinished(true);
  }
}
