package org.loomraid.raid;

/**
 * The sequential baseline: one slot after another, each on its own virtual thread, all under the
 * round's single deadline. A slot still running at the deadline is interrupted and abandoned;
 * slots not yet started by then are not started at all and count as no response.
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
      if (!round.expired()) {
        slot.start();
        round.awaitSlot(slot);
      }
      round.abandon(slot, true);
    }
  }
}
