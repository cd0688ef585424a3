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
 * one subtask per slot (each thread named for its backend) and joins. The caller waits on the
 * round itself, which the subtasks complete directly, under the round's deadline. If the deadline
 * passes first, the caller abandons the unfinished slots and interrupts the coordinator: its
 * {@code join()} ends, closing the scope cancels it (interrupting every subtask), and the
 * coordinator, if a subtask is deaf to interrupts, stays blocked in {@code close()} until that
 * subtask ends, tracked as abandoned like the subtask. The caller is never held.
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
    boolean threaded = false;
    for (Round.Slot<?> slot : round.slots()) {
      threaded |= !slot.inline();
    }
    if (!threaded) {
      runInline(round);
      return;
    }
    Thread coordinator = threads.start(threads.threadName("fanout"), () -> coordinate(round));
    runInline(round);
    round.awaitAll();
    if (round.abandonUnfinished(false) > 0) {
      coordinator.interrupt();
      threads.abandon(coordinator, "its scope waits for a subtask that did not end in "
          + round.operation());
    }
  }

  private <T> void coordinate(Round<T> round) {
    RaidThreads.NamingFactory factory = threads.namingFactory();
    try (var scope = StructuredTaskScope.open(Joiner.<Object>awaitAll(),
        config -> config.withThreadFactory(factory))) {
      for (Round.Slot<T> slot : round.slots()) {
        if (!slot.inline() && slot.launch()) {
          factory.nameNext(slot.threadName());
          scope.fork(slot);
        }
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
