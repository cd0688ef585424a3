package org.loomraid.raid;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.loomraid.storage.Storage;

/**
 * Runs the RAID's fan-outs and applies their {@link Verdict}s: the one place where the outcome model
 * decides who leaves service.
 *
 * <ul>
 *   <li>A failure ({@link Outcome#FAILURE}, {@link Outcome#IN_DOUBT}) always degrades its backend,
 *       and so does a loser of the vote ("inconsistent result").</li>
 *   <li>No response ({@link Outcome#NO_RESPONSE}) degrades its backend, except when the round was
 *       overloaded (no slot of two or more answered in time): then the RAID, not every backend at
 *       once, is at fault.</li>
 *   <li>A slot never reached ({@link Outcome#NOT_REACHED}) degrades nobody in a query; in a commit,
 *       where the backend is then behind, it degrades its backend unless no slot answered at
 *       all.</li>
 *   <li>Answers and caller errors degrade nobody; the caller throws the winning one.</li>
 * </ul>
 * In a commit round there is no vote: who applied it is settled by {@link CommitPoint}.
 * Every degradation names the instance the slot called, so an outcome of a retired instance never
 * touches its successor.
 */
final class Dispatcher {

  private final RaidThreads threads;
  private final FanOut fanOut;
  private final FanOut direct = new ThreadFanOut();
  private final Supervisor supervisor;

  Dispatcher(RaidThreads threads, FanOut fanOut, Supervisor supervisor) {
    this.threads = threads;
    this.fanOut = fanOut;
    this.supervisor = supervisor;
  }

  /** Returns which fan-out implementation runs the RAID's fan-outs. */
  FanOutKind kind() {
    return fanOut.kind();
  }

  /**
   * Runs {@code call} on every target through the RAID's fan-out (parallel or sequential), then
   * reads and applies the verdict. The caller deals with the winner, with an overloaded round and
   * with severe errors ({@link #rethrowSevere}).
   */
  <T> Verdict<T> fanOut(String operation, List<Backend> targets, Duration timeout, Round.Kind kind,
      boolean reads, Round.Call<T> call, Function<? super T, Object> keyOf) {
    return fanOut(operation, targets, timeout, kind,
        reads ? Round.Access.READ : Round.Access.OTHER, call, keyOf);
  }

  /** As above, for a call of the given {@link Round.Access} (a transaction phase, say). */
  <T> Verdict<T> fanOut(String operation, List<Backend> targets, Duration timeout, Round.Kind kind,
      Round.Access access, Round.Call<T> call, Function<? super T, Object> keyOf) {
    Round<T> round = new Round<>(threads, operation, targets, timeout, kind, access, call);
    fanOut.execute(round);
    return judge(Verdict.of(round, keyOf));
  }

  /**
   * Runs {@code call} on one backend, on a thread of its own (or the caller's, for a read that never
   * blocks), whatever the write mode; reads and applies the verdict.
   */
  <T> Verdict<T> one(String operation, Backend target, Duration timeout, boolean reads,
      Round.Call<T> call) {
    return judge(run(operation, List.of(target), timeout, reads, call));
  }

  /**
   * Runs {@code call} on one given instance of a backend (which may since have been replaced: its
   * outcome is then attributed to that retired instance and degrades nobody); as {@link #one}.
   */
  <T> Verdict<T> on(String operation, Backend target, Storage instance, Duration timeout,
      boolean reads, Round.Call<T> call) {
    Round<T> round = new Round<>(threads, operation, List.of(target), List.of(instance), timeout,
        Round.Kind.QUERY, reads, call);
    direct.execute(round);
    return judge(Verdict.of(round, value -> Verdict.SUCCESS));
  }

  /**
   * Runs {@code call} on each target in parallel on threads of their own, whatever the write mode,
   * and reads the verdict without applying it: for startup, recovery and closing, which judge by
   * rules of their own.
   */
  <T> Verdict<T> run(String operation, List<Backend> targets, Duration timeout, boolean reads,
      Round.Call<T> call) {
    Round<T> round = new Round<>(threads, operation, targets, timeout, Round.Kind.QUERY, reads,
        call);
    direct.execute(round);
    return Verdict.of(round, value -> Verdict.SUCCESS);
  }

  /** Applies a verdict: degrades the backends the outcome model says have failed. */
  <T> Verdict<T> judge(Verdict<T> verdict) {
    Round<T> round = verdict.round();
    Telemetry.judged(round);
    boolean commit = round.kind() == Round.Kind.COMMIT;
    boolean excused = commit ? verdict.noneFinished() && round.size() >= 2 : verdict.overloaded();
    for (Round.Slot<T> slot : verdict.blamed()) {
      if (slot.outcome() != Outcome.NO_RESPONSE || !excused) {
        degrade(slot, slot.failureReason());
      }
    }
    if (commit && !excused) {
      for (Round.Slot<T> slot : verdict.notReached()) {
        degrade(slot, slot.failureReason());
      }
    }
    if (commit) {
      return verdict; // who applied a commit is settled by CommitPoint, not by a vote
    }
    Verdict.Group<T> winner = verdict.winner();
    for (Verdict.Group<T> loser : verdict.losers()) {
      for (Round.Slot<T> slot : loser.members()) {
        degrade(slot, "inconsistent result in " + slot.stage() + ": answered " + loser.describe()
            + ", the vote went to " + winner.describe());
      }
    }
    return verdict;
  }

  /** Degrades the slot's backend instance with {@code reason}, closing what the call left open. */
  void degrade(Round.Slot<?> slot, String reason) {
    supervisor.degrade(slot.backend(), slot.instance(), reason, slot.leftover());
  }

  /**
   * Rethrows what no backend may be blamed for: a {@link VirtualMachineError} a backend thread hit,
   * or an error of the RAID's own code inside a slot.
   */
  static void rethrowSevere(Verdict<?> verdict) {
    if (verdict.fatal() instanceof VirtualMachineError error) {
      throw error;
    }
    RuntimeException own = verdict.raidError();
    if (own != null) {
      throw own;
    }
  }
}
