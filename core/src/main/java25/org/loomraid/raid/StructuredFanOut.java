package org.loomraid.raid;

import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;

/**
 * The parallel fan-out on {@link StructuredTaskScope} (JDK 25 preview API). Compiled separately
 * for release 25 with preview enabled, shipped in the multi-release folder of the jar, and loaded
 * by name only when the running JVM accepts it.
 *
 * <p>{@code StructuredTaskScope.close()} waits for every subtask, also one that ignores interrupts,
 * so the caller must not own the scope. A short-lived coordinator virtual thread owns it: it forks
 * one subtask per slot but the last (each thread named for its backend), runs the last slot itself
 * (it is named for that backend: it is that backend's thread, and saves the fan-out a thread), and
 * joins. The caller waits on the round itself, which the slots complete directly, under the round's
 * deadline. If the deadline passes first, the caller abandons the unfinished slots, interrupting
 * their threads, and interrupts the coordinator: its {@code join()} ends, closing the scope cancels
 * it, and the coordinator, if a subtask is deaf to interrupts, stays blocked in {@code close()}
 * until that subtask ends, tracked as abandoned like the subtask. The caller is never held.
 */
final class StructuredFanOut extends FanOut {

  private final RaidThreads threads;

  StructuredFanOut(RaidThreads threads) {
    this.threads = threads;
  }

  @Override
  FanOutKind kind() {
    return FanOutKind.STRUCTURED_TASK_SCOPE;
  }

  @Override
  void execute(Round<?> round) {
    execute0(round);
  }

  private <T> void execute0(Round<T> round) {
    Round.Slot<T> own = null;
    for (Round.Slot<T> slot : round.slots()) {
      if (!slot.inline()) {
        own = slot;
      }
    }
    if (own == null) {
      runInline(round);
      return;
    }
    Round.Slot<T> last = own;
    Thread coordinator = threads.start(last.threadName(), () -> coordinate(round, last));
    runInline(round);
    round.awaitAll();
    if (round.abandonUnfinished(true) > 0 && last.outcome() != Outcome.NO_RESPONSE) {
      // The coordinator is not stuck in its own backend call (that would have been interrupted
      // and tracked with the slot): it may be waiting for the scope to close.
      coordinator.interrupt();
      threads.abandon(coordinator, "its scope waits for a subtask that did not end in "
          + round.operation());
    }
  }

  private <T> void coordinate(Round<T> round, Round.Slot<T> own) {
    RaidThreads.NamingFactory factory = threads.namingFactory();
    try (var scope = StructuredTaskScope.open(Joiner.<Object>awaitAll(),
        config -> config.withThreadFactory(factory))) {
      for (Round.Slot<T> slot : round.slots()) {
        if (slot != own && !slot.inline() && slot.launch()) {
          factory.nameNext(slot.threadName());
          scope.fork(slot);
        }
      }
      if (own.launch()) {
        own.run();
      }
      scope.join();
    } catch (InterruptedException e) {
      // The caller gave up at the deadline; closing the scope has cancelled the subtasks.
      Thread.currentThread().interrupt();
    } finally {
      threads.ended(Thread.currentThread());
    }
  }
}
