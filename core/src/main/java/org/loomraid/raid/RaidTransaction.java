package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import org.loomraid.storage.BufferedTransaction;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * One transaction of a RAID: buffers its stores (checked against the strictest limits of the
 * backends, so a request over a limit never reaches one), then runs the two phases across the
 * optimal backends.
 *
 * <p>{@code vote()} takes the RAID commit lock (released by whichever thread ends the
 * transaction), resolves an earlier in-doubt commit if there is one, chooses the tid and makes one
 * fan-out in which each backend begins, stores and votes. {@code commit()} and {@code abort()} make
 * one fan-out each to the backends whose vote won. The base class owns the state machine: stores
 * are validated and buffered there, and if vote or commit throws, {@link #onAbort} runs.
 */
final class RaidTransaction extends BufferedTransaction {

  private final Engine engine;
  private boolean holdsCommitLock;
  private boolean movesOids;
  private long maxStoredOid;
  private Tid tid = Tid.NONE;
  private List<Round.Slot<StorageTransaction>> voted = List.of();
  /** The JFR event of this transaction, or null while no recording wants one. */
  private CommitEvent trace;

  RaidTransaction(Engine engine, TransactionMeta meta, Tid requestedTid, StorageLimits limits) {
    super(meta, requestedTid, limits, engine.name());
    this.engine = engine;
  }

  /** Refuses stores once the RAID is closed; stores are otherwise only buffered. */
  @Override
  protected void checkStore(Store store) {
    engine.lifecycle().checkOpen();
  }

  @Override
  protected void onVote(List<Store> stores) {
    trace = Telemetry.commitStarted(engine.name());
    if (trace == null) {
      vote(stores);
      return;
    }
    trace.phaseStart = System.nanoTime();
    try {
      vote(stores);
    } catch (RuntimeException | Error e) {
      long waited = System.nanoTime() - trace.phaseStart;
      if (holdsCommitLock) {
        trace.vote = waited;
      } else {
        trace.lockWait = waited;
      }
      traced(e);
      throw e;
    }
    trace.vote = System.nanoTime() - trace.phaseStart;
    trace.backends = voted.size();
    trace.tid = tid.value();
  }

  private void vote(List<Store> stores) {
    Lifecycle lifecycle = engine.lifecycle();
    lifecycle.checkWritable();
    lifecycle.enterPhase();
    try {
      engine.gate().acquire("a transaction");
      holdsCommitLock = true;
      if (trace != null) {
        long now = System.nanoTime();
        trace.lockWait = now - trace.phaseStart;
        trace.phaseStart = now;
      }
      lifecycle.checkWritable();
      CommitPoint.resolvePending(engine);
      voteEverywhere(stores);
    } finally {
      lifecycle.exitPhase();
    }
  }

  /** Ends this transaction's event (if one is being recorded) with what the caller was told. */
  private void traced(Throwable outcome) {
    traced(outcome == null ? "committed" : outcome.getClass().getSimpleName());
  }

  private void traced(String outcome) {
    CommitEvent event = trace;
    if (event == null) {
      return;
    }
    trace = null;
    event.tid = tid.value();
    event.outcome = outcome;
    event.commit();
  }

  private void voteEverywhere(List<Store> stores) {
    List<Backend> optimal = engine.roster().optimal();
    if (optimal.isEmpty()) {
      throw engine.lifecycle().noBackendLeft("vote");
    }
    checkQuorum(optimal.size(), "in service");
    tid = engine.gate().chooseTid(requestedTid());
    for (Store store : stores) {
      maxStoredOid = Math.max(maxStoredOid, store.oid().value());
    }
    // A store above every known oid moves the backends' OID counters when it commits: hold the
    // OID lock around such fan-outs so that a concurrent newOid() sees all backends alike.
    movesOids = maxStoredOid > engine.oids().highWater();
    Verdict<StorageTransaction> verdict = voteRound(optimal, stores);
    Verdict.Group<StorageTransaction> winner = verdict.winner();
    if (verdict.fatal() != null || verdict.raidError() != null || verdict.overloaded()
        || !verdict.succeeded() || !engine.lifecycle().canWrite()) {
      if (verdict.succeeded()) {
        abandon(winner.members());
      }
      Dispatcher.rethrowSevere(verdict);
      if (verdict.overloaded()) {
        throw engine.lifecycle().overloaded(verdict, "the transaction was not committed");
      }
      throw winner != null && winner.isRefusal() && engine.lifecycle().canWrite()
          ? winner.refusal() : engine.lifecycle().writeRefusal("voted for " + tid);
    }
    try {
      checkQuorum(winner.size(), "that voted");
    } catch (RaidException e) {
      abandon(winner.members());
      throw e;
    }
    voted = winner.members();
  }

  /** Refuses the transaction up front if too few backends are left to make the commit quorum. */
  private void checkQuorum(int backends, String which) {
    CommitQuorum quorum = engine.settings().commitQuorum();
    int configured = engine.roster().configured();
    int required = quorum.required(configured);
    if (backends < required) {
      throw new RaidException("RAID '" + engine.name() + "': only " + backends + " of "
          + configured + " backends " + which + ", fewer than the " + required
          + " CommitQuorum." + quorum + " needs; nothing was committed");
    }
  }

  private Verdict<StorageTransaction> voteRound(List<Backend> targets, List<Store> stores) {
    TransactionMeta meta = meta();
    Tid chosen = tid;
    if (movesOids) {
      engine.oids().lock();
    }
    try {
      return engine.dispatcher().fanOut("vote", targets, engine.settings().callTimeout(),
          Round.Kind.QUERY, Round.Access.TRANSACTION, (storage, slot) -> {
            slot.stage("begin");
            StorageTransaction tx = storage.begin(meta, chosen);
            slot.attach(tx);
            try {
              slot.stage("store");
              for (Store store : stores) {
                tx.store(store.oid(), store.expectedSerial(), store.data());
              }
              slot.stage("vote");
              tx.vote();
              return tx;
            } catch (Throwable t) {
              Closing.quietly(tx, slot.backend(), "a failed vote");
              throw t;
            }
          }, tx -> Verdict.SUCCESS);
    } finally {
      if (movesOids) {
        engine.oids().unlock();
      }
    }
  }

  @Override
  protected Tid onCommit() {
    if (trace != null) {
      trace.phaseStart = System.nanoTime();
    }
    engine.lifecycle().enterPhase();
    Throwable failure = null;
    try {
      return commitEverywhere();
    } catch (RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      release();
      engine.lifecycle().exitPhase();
      if (trace != null) {
        trace.commit = System.nanoTime() - trace.phaseStart;
        traced(failure);
      }
    }
  }

  private Tid commitEverywhere() {
    List<Round.Slot<StorageTransaction>> live = inService();
    List<Backend> targets = new ArrayList<>(live.size());
    for (Round.Slot<StorageTransaction> slot : live) {
      targets.add(slot.backend());
    }
    Verdict<Tid> verdict;
    if (movesOids) {
      engine.oids().lock();
    }
    try {
      verdict = engine.dispatcher().fanOut("commit", targets, engine.settings().callTimeout(),
          Round.Kind.COMMIT, Round.Access.TRANSACTION,
          (storage, slot) -> live.get(slot.index()).value().commit(), committed -> Verdict.SUCCESS);
    } finally {
      if (movesOids) {
        engine.oids().unlock();
      }
    }
    closeUncommitted(live, verdict);
    if (trace != null) {
      trace.applied = applied(verdict);
    }
    return CommitPoint.settle(engine, "commit", tid, maxStoredOid, verdict);
  }

  /** Returns how many backends returned from their commit (for the trace). */
  private static int applied(Verdict<Tid> verdict) {
    int applied = 0;
    for (Round.Slot<Tid> slot : verdict.round().slots()) {
      if (slot.outcome() == Outcome.SUCCESS) {
        applied++;
      }
    }
    return applied;
  }

  /** Closes (aborts) the backend transactions whose commit never ran, in the background. */
  private void closeUncommitted(List<Round.Slot<StorageTransaction>> live, Verdict<Tid> verdict) {
    for (Round.Slot<Tid> slot : verdict.round().slots()) {
      if (slot.outcome() == Outcome.NOT_REACHED) {
        engine.supervisor().closeInBackground(slot.backend(), null,
            live.get(slot.index()).value());
      }
    }
  }

  @Override
  protected void onAbort(boolean hasVoted) {
    if (trace != null) {
      traced("aborted");
    }
    try {
      engine.lifecycle().enterPhase();
    } catch (RaidClosedException closed) {
      release();
      return;
    }
    try {
      List<Round.Slot<StorageTransaction>> live = inService();
      if (!live.isEmpty()) {
        List<Backend> targets = new ArrayList<>(live.size());
        for (Round.Slot<StorageTransaction> slot : live) {
          targets.add(slot.backend());
        }
        Verdict<Object> verdict = engine.dispatcher().fanOut("abort", targets,
            engine.settings().callTimeout(), Round.Kind.QUERY, Round.Access.TRANSACTION,
            (storage, slot) -> {
              live.get(slot.index()).value().abort();
              return Verdict.SUCCESS;
            }, value -> Verdict.SUCCESS);
        for (Round.Slot<Object> slot : verdict.notReached()) {
          engine.supervisor().closeInBackground(slot.backend(), null,
              live.get(slot.index()).value());
        }
      }
    } finally {
      release();
      engine.lifecycle().exitPhase();
    }
  }

  /** Aborts the winners' voted transactions after the vote as a whole failed. */
  private void abandon(List<Round.Slot<StorageTransaction>> slots) {
    for (Round.Slot<StorageTransaction> slot : slots) {
      closeLeftover(slot, "a failed vote");
    }
  }

  /**
   * Closes (aborts) a backend transaction the RAID goes on without: on the caller's thread if its
   * backend's transactions never block, so it has ended before the next vote (the promise
   * {@link org.loomraid.storage.Storage#transactionsNeverBlock()} relies on); else in the
   * background, so a backend that hangs never holds the caller.
   */
  private void closeLeftover(Round.Slot<StorageTransaction> slot, String why) {
    if (slot.inline()) {
      Closing.quietly(slot.value(), slot.backend(), why);
    } else {
      engine.supervisor().closeInBackground(slot.backend(), null, slot.value());
    }
  }

  /**
   * Returns the voted slots whose backend is still optimal with the instance that voted; the
   * transactions of the others (taken out of service since) are aborted in the background, so none
   * is left holding its backend's commit lock.
   */
  private List<Round.Slot<StorageTransaction>> inService() {
    List<Round.Slot<StorageTransaction>> live = new ArrayList<>(voted.size());
    for (Round.Slot<StorageTransaction> slot : voted) {
      Backend backend = slot.backend();
      if (backend.state() == BackendState.OPTIMAL && backend.storage() == slot.instance()) {
        live.add(slot);
      } else {
        closeLeftover(slot, "a backend out of service");
      }
    }
    return live;
  }

  /** Forgets the backend transactions and releases the RAID commit lock, once. */
  private void release() {
    voted = List.of();
    if (holdsCommitLock) {
      holdsCommitLock = false;
      engine.gate().release();
    }
  }
}
