package org.loomraid.raid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.testing.FaultyStorage;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * Transactions on backends whose transactions never block
 * ({@link Storage#transactionsNeverBlock()}) run on the caller's thread; every other backend keeps
 * a thread and a deadline of its own. The caller's interrupt never reaches a backend, and a backend
 * transaction the RAID gives up is ended before the caller is told, so the next vote never waits
 * for it.
 */
class CallerThreadTest {

  private static final TransactionMeta META = TransactionMeta.of("test", "caller thread");

  /**
   * Forwards to a memory storage, claims what it claims, and records on which thread each step of
   * its transactions ran ("vote on the-caller").
   */
  private static final class ClaimingStorage extends ForwardingStorage {
    private final List<String> steps;

    ClaimingStorage(Storage delegate, List<String> steps) {
      super(delegate);
      this.steps = steps;
    }

    private void record(String step) {
      steps.add(step + " on " + Thread.currentThread().getName());
    }

    @Override
    public StorageTransaction begin(TransactionMeta meta, Tid tid) {
      record("begin");
      StorageTransaction tx = super.begin(meta, tid);
      return new StorageTransaction() {
        @Override
        public void store(Oid oid, Tid expectedSerial, byte[] data) {
          tx.store(oid, expectedSerial, data);
        }

        @Override
        public void vote() {
          record("vote");
          tx.vote();
        }

        @Override
        public Tid commit() {
          record("commit");
          return tx.commit();
        }

        @Override
        public void abort() {
          record("abort");
          tx.abort();
        }

        @Override
        public void close() {
          record("close");
          tx.close();
        }
      };
    }

    @Override
    public boolean transactionsNeverBlock() {
      return true;
    }
  }

  private static Tid commit(RaidStorage raid, Oid oid, String data) {
    try (StorageTransaction tx = raid.begin(META)) {
      tx.store(oid, Tid.NONE, data.getBytes(UTF_8));
      tx.vote();
      return tx.commit();
    }
  }

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void transactionOfABackendThatNeverBlocksRunsOnTheCallersThread(WriteMode mode) {
    List<String> claiming = new CopyOnWriteArrayList<>();
    List<String> forwarding = new CopyOnWriteArrayList<>();
    try (RaidStorage raid = RaidStorage.builder("r").writeMode(mode)
        .backend("a", () -> new ClaimingStorage(MemoryStorage.create("a"), claiming))
        .backend("b", () -> new NameRecordingStorage(MemoryStorage.create("b"), forwarding))
        .open()) {
      Oid oid = raid.newOid();
      forwarding.clear();
      String caller = Thread.currentThread().getName();
      commit(raid, oid, "v1");

      assertEquals(List.of("begin on " + caller, "vote on " + caller, "commit on " + caller),
          claiming, "a never-blocking backend");
      assertEquals(List.of("loomraid-r-b"), forwarding, "begin on any other backend");
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void callerInterruptedAfterTheVoteCommitsOnMemoryBackendsAndKeepsItsInterrupt(WriteMode mode) {
    try (RaidStorage raid = RaidStorage.builder("r").writeMode(mode)
        .backend("a", () -> MemoryStorage.create("a"))
        .backend("b", () -> MemoryStorage.create("b"))
        .backend("c", () -> MemoryStorage.create("c"))
        .open()) {
      Oid oid = raid.newOid();
      Tid tid;
      try (StorageTransaction tx = raid.begin(META)) {
        tx.store(oid, Tid.NONE, "interrupted".getBytes(UTF_8));
        tx.vote(); // an interrupted caller is refused the RAID's commit lock: interrupt after it
        Thread.currentThread().interrupt();
        try {
          tid = tx.commit();
          assertTrue(Thread.currentThread().isInterrupted(), "interrupt kept");
        } finally {
          Thread.interrupted();
        }
      }
      assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
      assertEquals(tid, raid.load(oid).serial());
    }
  }

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void votedTransactionOfAFailedVoteIsAbortedBeforeTheCallerIsTold(WriteMode mode) {
    MemoryStorage memory = MemoryStorage.create("a");
    List<String> steps = new CopyOnWriteArrayList<>();
    FaultyStorage faulty = FaultyStorage.wrap(MemoryStorage.create("b"));
    try (RaidStorage raid = RaidStorage.builder("r").writeMode(mode)
        .backend("a", () -> new ClaimingStorage(memory, steps))
        .backend("b", () -> faulty)
        .open()) {
      Oid oid = raid.newOid();
      faulty.on(Operation.VOTE).failOnce(() -> new OutOfMemoryError("injected"));
      StorageTransaction tx = raid.begin(META);
      tx.store(oid, Tid.NONE, "lost".getBytes(UTF_8));

      assertThrows(OutOfMemoryError.class, tx::vote);

      // Backend a voted, and the RAID went on without it: its transaction has ended already.
      String caller = Thread.currentThread().getName();
      assertEquals(List.of("begin on " + caller, "vote on " + caller, "close on " + caller),
          steps);
      assertEquals(Tid.NONE, memory.lastTransaction(), "nothing committed on a");
      Tid tid = commit(raid, oid, "v1");
      assertEquals(tid, raid.load(oid).serial());
      assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
    }
  }
}
