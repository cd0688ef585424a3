package org.loomraid.raid;

/**
 * The sequential baseline: one slot after another, each on its own virtual thread (or on the
 * caller's, for a read that never blocks), each with its own deadline counted from when it starts.
 * A slot still running at its deadline is interrupted and abandoned, and the fan-out goes on to
 * the next backend, so a backend that was never reached is never blamed for one that hung: a hung
 * backend costs one timeout, and k hung backends cost k timeouts (the price of the baseline).
 */
final class SequentialFanOut extends FanOut {

  @Override
  FanOutKind kind() {
    return FanOutKind.SEQUENTIAL;
  }

  @Override
  void execute(Round<?> round) {
    run(round);
  }

  private static <T> void run(Round<T> round) {
    round.wakeOnEachCompletion();
    for (Round.Slot<T> slot : round.slots()) {
      if (slot.inline()) {
        boolean interrupted = Thread.interrupted();
        slot.runInline();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        continue;
      }
      slot.start();
      round.awaitSlot(slot);
      round.abandon(slot, true);
    }
  }
}
