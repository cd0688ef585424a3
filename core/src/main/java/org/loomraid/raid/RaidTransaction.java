package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import org.loomraid.storage.BufferedTransaction;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * One transaction of a RAID: buffers its stores, then runs the two phases across the optimal
 * backends.
 *
 * <p>{@code vote()} takes the RAID commit lock (released by whichever thread ends the
 * transaction), chooses the tid and makes one fan-out in which each backend begins, stores and
 * votes. {@code commit()} and {@code abort()} make one fan-out each to the backends whose vote won.
 * The base class owns the state machine: stores are validated and buffered there, and if vote or
 * commit throws, {@link #onAbort} runs.
 */
final class RaidTransaction extends BufferedTransaction {

  private final RaidStorage raid;
  private boolean holdsCommitLock;
  private boolean movesOids;
  private long maxStoredOid;
  private Tid tid = Tid.NONE;
  private List<Backend> votedBackends = List.of();
  private List<StorageTransaction> votedTransactions = List.of();

  RaidTransaction(RaidStorage raid, TransactionMeta meta, Tid requestedTid, StorageLimits limits) {
    super(meta, requestedTid, limits, raid.name());
    this.raid = raid;
  }

  /** Refuses stores once the RAID is closed; stores are otherwise only buffered. */
  @Override
  protected void checkStore(Store store) {
    raid.checkOpen();
  }

  @Override
  protected void onVote(List<Store> stores) {
    raid.checkWritable();
    raid.enterPhase();
    try {
      voteEverywhere(stores);
    } finally {
      raid.exitPhase();
    }
  }

  private void voteEverywhere(List<Store> stores) {
    raid.acquireCommitLock();
    holdsCommitLock = true;
    raid.checkWritable();
    tid = raid.chooseTid(requestedTid());
    for (Store store : stores) {
      maxStoredOid = Math.max(maxStoredOid, store.oid().value());
    }
    // A store above every known oid moves the backends' OID counters when it commits: hold the
    // OID lock around such fan-outs so that a concurrent newOid() sees all backends alike.
    movesOids = maxStoredOid > raid.oids().highWater();
    Round<StorageTransaction> round = voteRound(stores);
    Tally<StorageTransaction> tally = raid.tallyAndDegrade(round, tx -> Tally.SUCCESS);
    Throwable fatal = tally.fatal();
    Tally.Group<StorageTransaction> winner = tally.winner();
    if (fatal != null || winner == null || winner.isAnswer() || !raid.canWrite()) {
      if (winner != null && !winner.isAnswer()) {
        abandon(winner.members());
      }
      RaidStorage.rethrowFatal(fatal);
      throw winner != null && winner.isAnswer() && raid.canWrite()
          ? winner.answer() : raid.writeRefusal();
    }
    List<Round.Slot<StorageTransaction>> members = winner.members();
    List<Backend> backends = new ArrayList<>(members.size());
    List<StorageTransaction> transactions = new ArrayList<>(members.size());
    for (Round.Slot<StorageTransaction> slot : members) {
      backends.add(slot.backend());
      transactions.add(slot.value());
    }
    votedBackends = backends;
    votedTransactions = transactions;
  }

  @Override
  protected Tid onCommit() {
    raid.enterPhase();
    try {
      return commitEverywhere();
    } finally {
      raid.exitPhase();
    }
  }

  private Tid commitEverywhere() {
    List<Integer> live = inService();
    List<StorageTransaction> transactions = votedTransactions;
    Round<Tid> round;
    if (movesOids) {
      raid.oids().lock();
    }
    try {
      round = raid.fanOut("commit", select(live), raid.settings().callTimeout(),
          (storage, slot) -> transactions.get(live.get(slot.index())).commit());
    } finally {
      if (movesOids) {
        raid.oids().unlock();
      }
    }
    int committed = 0;
    Throwable fatal = null;
    Supervisor supervisor = raid.supervisor();
    for (Round.Slot<Tid> slot : round.slots()) {
      switch (slot.outcome()) {
        case SUCCESS -> {
          if (slot.value().equals(tid)) {
            committed++;
            slot.backend().committed(tid);
          } else {
            supervisor.degrade(slot.backend(), "inconsistent result in commit: committed as "
                + slot.value() + " where the RAID chose " + tid);
          }
        }
        case FATAL -> fatal = slot.error();
        default -> supervisor.degrade(slot.backend(), slot.failureReason(),
            RaidStorage.leftover(slot));
      }
    }
    if (committed > 0) {
      raid.committed(tid, maxStoredOid);
    }
    release();
    RaidStorage.rethrowFatal(fatal);
    if (committed == 0) {
      throw raid.writeRefusal();
    }
    return tid;
  }

  @Override
  protected void onAbort(boolean voted) {
    try {
      raid.enterPhase();
    } catch (RaidClosedException closed) {
      release();
      return;
    }
    try {
      List<Integer> live = inService();
      List<StorageTransaction> transactions = votedTransactions;
      if (!live.isEmpty()) {
        Round<Object> round = raid.fanOut("abort", select(live), raid.settings().callTimeout(),
            (storage, slot) -> {
              transactions.get(live.get(slot.index())).abort();
              return Tally.SUCCESS;
            });
        for (Round.Slot<Object> slot : round.slots()) {
          Round.Outcome outcome = slot.outcome();
          if (outcome != Round.Outcome.SUCCESS && outcome != Round.Outcome.FATAL) {
            raid.supervisor().degrade(slot.backend(), slot.failureReason(),
                RaidStorage.leftover(slot));
          }
        }
      }
    } finally {
      release();
      raid.exitPhase();
    }
  }

  private Round<StorageTransaction> voteRound(List<Store> stores) {
    TransactionMeta meta = meta();
    Tid chosen = tid;
    if (movesOids) {
      raid.oids().lock();
    }
    try {
      return raid.fanOut("vote", raid.optimalOrRefuse("vote"), raid.settings().callTimeout(),
          (storage, slot) -> {
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
          });
    } finally {
      if (movesOids) {
        raid.oids().unlock();
      }
    }
  }

  /** Aborts the winners' voted transactions after the vote as a whole failed; in background. */
  private void abandon(List<Round.Slot<StorageTransaction>> slots) {
    for (Round.Slot<StorageTransaction> slot : slots) {
      raid.supervisor().closeInBackground(slot.backend(), null, slot.value());
    }
  }

  /** Returns the positions of the voted backends that are still optimal. */
  private List<Integer> inService() {
    List<Integer> live = new ArrayList<>(votedBackends.size());
    for (int i = 0; i < votedBackends.size(); i++) {
      if (votedBackends.get(i).state() == BackendState.OPTIMAL) {
        live.add(i);
      }
    }
    return live;
  }

  private List<Backend> select(List<Integer> positions) {
    List<Backend> selected = new ArrayList<>(positions.size());
    for (int position : positions) {
      selected.add(votedBackends.get(position));
    }
    return selected;
  }

  /** Forgets the backend transactions and releases the RAID commit lock, once. */
  private void release() {
    votedBackends = List.of();
    votedTransactions = List.of();
    if (holdsCommitLock) {
      holdsCommitLock = false;
      raid.releaseCommitLock();
    }
  }
}
