package org.loomraid.raid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.Tid;

/**
 * What the RAID tells its caller after a commit point (the commit fan-out of a transaction, or a
 * restore), and how it resolves a commit that no backend answered.
 *
 * <p>After the fan-out, every backend that applied the transaction holds it, and the RAID's last tid
 * advances as soon as one did. The caller is then told the truth:
 * <ul>
 *   <li>as many backends as the {@link CommitQuorum} asks applied it: acknowledged;</li>
 *   <li>some applied it, or some may have (no response, or the backend itself does not know), but
 *       fewer than the quorum: {@link CommitOutcomeUnknownException} with the tid, the transaction
 *       is <em>in doubt</em>;</li>
 *   <li>none applied it and none may have: a clean failure, nothing was committed (a
 *       {@link RaidOverloadedException} if the JVM never got to run the commits).</li>
 * </ul>
 * When no backend of two or more answered at all (the RAID was overloaded, or every backend became
 * unreachable at once), nobody is degraded: the commit is recorded as in doubt everywhere, and the
 * next write (or promotion) resolves it first, under the commit lock, by asking every optimal backend
 * whether it holds the tid; the largest agreeing group decides, and the others are degraded.
 */
final class CommitPoint {

  private CommitPoint() {}

  /** What a backend answered about the in-doubt tid: holds it, or still lacks it. */
  private record Holding(Tid tid, boolean holds) {
    @Override
    public String toString() {
      return (holds ? "holds " : "lacks ") + "the in-doubt " + tid;
    }
  }

  /**
   * Settles a commit-point fan-out under the commit lock: counts who applied {@code tid}, degrades
   * those that answered otherwise (the verdict was judged already), records an in-doubt commit,
   * advances the RAID's position, and returns the tid or throws what the caller must be told.
   *
   * @param what the operation, for messages ({@code "commit"}, {@code "restore"})
   * @param verdict the judged verdict of the fan-out; a success value equal to {@code tid} (or any
   *     success, if its values are not tids) means applied
   */
  static Tid settle(Engine engine, String what, Tid tid, long maxOid, Verdict<?> verdict) {
    Round<?> round = verdict.round();
    if (refusedAlike(verdict)) {
      for (Verdict.Group<?> loser : verdict.losers()) {
        for (Round.Slot<?> slot : loser.members()) {
          engine.dispatcher().degrade(slot, "inconsistent result in " + what + ": answered "
              + loser.describe() + ", the others " + verdict.winner().describe());
        }
      }
      Dispatcher.rethrowSevere(verdict);
      throw verdict.winner().refusal();
    }
    int applied = 0;
    boolean doubt = false;
    List<Round.Slot<?>> unanswered = new ArrayList<>();
    for (Round.Slot<?> slot : round.slots()) {
      switch (slot.outcome()) {
        case SUCCESS -> {
          Object value = slot.value();
          if (value instanceof Tid committedAs && !committedAs.equals(tid)) {
            // It committed something, and says it is not this transaction: what it holds is
            // unknown, so it leaves service, and the transaction may be on it.
            engine.dispatcher().degrade(slot, "inconsistent result in " + what + ": committed as "
                + committedAs + " where the RAID chose " + tid);
            doubt = true;
          } else {
            applied++;
            slot.backend().committed(tid);
          }
        }
        case ANSWER, CALLER_ERROR, RAID_ERROR -> engine.dispatcher().degrade(slot,
            "error in " + slot.stage() + ": " + Durations.describe(slot.error()));
        case NO_RESPONSE -> {
          doubt = true;
          unanswered.add(slot);
        }
        case IN_DOUBT -> doubt = true;
        case FAILURE, NOT_REACHED, FATAL -> { }
      }
    }
    if (!unanswered.isEmpty() && verdict.noneFinished() && round.size() >= 2) {
      engine.gate().inDoubt(new CommitGate.InDoubt(tid, unanswered));
    }
    if (applied > 0) {
      engine.gate().committed(tid);
      engine.oids().raise(maxOid);
    }
    Dispatcher.rethrowSevere(verdict);
    CommitQuorum quorum = engine.settings().commitQuorum();
    int configured = engine.roster().configured();
    int required = quorum.required(configured);
    if (applied >= required) {
      return tid;
    }
    if (applied > 0 || doubt) {
      String why = applied > 0
          ? "applied on " + applied + " of " + configured + " backends, fewer than the "
              + required + " CommitQuorum." + quorum + " asks"
          : "no backend confirmed it (" + describe(round) + ")";
      throw new CommitOutcomeUnknownException("RAID '" + engine.name() + "': the " + what + " of "
          + tid + " is in doubt: " + why + "; it may or may not have committed. Ask the RAID"
          + " (loadSerial, or transactions from just before the tid) once its backends are back.",
          tid, null);
    }
    if (verdict.overloaded()) {
      throw engine.lifecycle().overloaded(verdict, "the " + what + " was not carried out");
    }
    throw engine.lifecycle().writeRefusal("applied the " + what + " of " + tid);
  }

  /**
   * Returns whether the backends refused the request (an answer or a caller error) and none applied
   * it or may have: then the refusal is about the request, and goes to the caller.
   */
  private static boolean refusedAlike(Verdict<?> verdict) {
    Verdict.Group<?> winner = verdict.winner();
    if (winner == null || !winner.isRefusal()) {
      return false;
    }
    for (Round.Slot<?> slot : verdict.round().slots()) {
      Outcome outcome = slot.outcome();
      if (outcome == Outcome.SUCCESS || outcome == Outcome.NO_RESPONSE
          || outcome == Outcome.IN_DOUBT) {
        return false;
      }
    }
    return true;
  }

  private static String describe(Round<?> round) {
    StringBuilder text = new StringBuilder();
    for (Round.Slot<?> slot : round.slots()) {
      text.append(text.isEmpty() ? "" : "; ").append(slot.backend().name()).append(": ")
          .append(slot.outcome() == Outcome.SUCCESS ? "applied" : slot.failureReason());
    }
    return text.isEmpty() ? "no backend in service" : text.toString();
  }

  /**
   * Resolves an in-doubt commit before the next write; under the commit lock. Waits (at most the
   * call timeout) for the threads still committing, then asks every optimal backend whether it
   * holds the tid: the largest agreeing group decides (the vote's rule), the rest are degraded.
   *
   * @throws RaidOverloadedException if the commit is still running somewhere or the question got no
   *     answer; the write is refused and the in-doubt commit stays recorded
   */
  static void resolvePending(Engine engine) {
    CommitGate gate = engine.gate();
    CommitGate.InDoubt pending = gate.inDoubt();
    if (pending == null) {
      return;
    }
    Duration timeout = engine.settings().callTimeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> running = new ArrayList<>();
    for (Round.Slot<?> slot : pending.slots()) {
      Thread thread = slot.thread;
      if (slot.backend().state() != BackendState.OPTIMAL || thread == null) {
        continue;
      }
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
          running.add(slot.backend().name());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageInterruptedException("RAID '" + engine.name()
            + "': interrupted waiting for an in-doubt commit to end", e);
      }
    }
    if (!running.isEmpty()) {
      throw new RaidOverloadedException("RAID '" + engine.name() + "': the commit of "
          + pending.tid() + " is still in doubt: backends " + running + " have not finished it"
          + " after " + Durations.format(timeout) + " more; this write was refused (nothing was"
          + " committed). Disable a backend that hangs to go on without it.");
    }
    Tid last = gate.lastCommitted();
    Tid tid = pending.tid();
    Verdict<Tid> verdict = engine.dispatcher().fanOut("lastTransaction",
        engine.roster().optimal(), timeout, Round.Kind.QUERY, true,
        (storage, slot) -> storage.lastTransaction(),
        found -> found.equals(tid) ? new Holding(tid, true)
            : found.equals(last) ? new Holding(tid, false) : found);
    Dispatcher.rethrowSevere(verdict);
    if (verdict.overloaded()) {
      throw engine.lifecycle().overloaded(verdict,
          "an earlier commit is still in doubt, so this write was refused (nothing was committed)");
    }
    Verdict.Group<Tid> winner = verdict.winner();
    if (winner != null && winner.value() != null && winner.value().equals(tid)) {
      for (Round.Slot<Tid> slot : winner.members()) {
        slot.backend().committed(tid);
      }
      gate.committed(tid);
    }
    gate.resolved();
  }
}
