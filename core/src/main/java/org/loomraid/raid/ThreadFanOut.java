package org.loomraid.raid;

/**
 * The parallel fan-out on plain virtual threads: starts one thread per slot (running slots that
 * never block on the caller's thread meanwhile), waits once for all of them until their deadlines,
 * then interrupts and abandons whatever has not finished.
 */
final class ThreadFanOut extends FanOut {

  @Override
  FanOutKind kind() {
    return FanOutKind.VIRTUAL_THREADS;
  }

  @Override
  void execute(Round<?> round) {
    for (Round.Slot<?> slot : round.slots()) {
      if (!slot.inline()) {
        slot.start();
      }
    }
    runInline(round);
    round.awaitAll();
    round.abandonUnfinished(true);
  }
}
