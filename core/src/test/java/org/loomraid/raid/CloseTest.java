package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage.Operation;

/** close(): idempotent, closes every backend even when some throw, refuses every later call. */
class CloseTest {

  @Test
  void closeIsIdempotentClosesEveryBackendAndRefusesEveryLaterCall() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");

      raid.close();
      raid.close();

      assertEquals(RaidStatus.CLOSED, raid.status());
      for (int i = 0; i < 3; i++) {
        assertEquals(1, f.closes(i), "backend " + i + " closed once");
      }
      assertEquals("r", raid.name());
      assertEquals(3, raid.backends().size(), "the listing still works");
      List<Executable> calls = List.of(
          raid::lastTransaction,
          raid::newOid,
          () -> raid.reserveOids(Oid.of(9)),
          () -> raid.load(Oid.of(1)),
          () -> raid.loadBefore(Oid.of(1), tid),
          () -> raid.loadSerial(Oid.of(1), tid),
          () -> raid.begin(TransactionMeta.EMPTY),
          () -> raid.begin(TransactionMeta.EMPTY, tid.next()),
          () -> raid.transactions(Tid.NONE),
          () -> raid.restore(new TransactionRecord(tid.next(), TransactionMeta.EMPTY, List.of())),
          () -> raid.pack(tid),
          raid::stats);
      for (Executable call : calls) {
        assertThrows(RaidClosedException.class, call);
      }
    }
  }

  @Test
  void closeClosesTheOtherBackendsWhenSomeThrow() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      f.faulty(0).on(Operation.CLOSE).failAlways();
      f.faulty(1).on(Operation.CLOSE).failAlways(() -> new StorageClosedException("b"));

      assertDoesNotThrow(raid::close);

      assertEquals(RaidStatus.CLOSED, raid.status());
      assertEquals(1, f.faulty(0).calls(Operation.CLOSE));
      assertEquals(1, f.faulty(1).calls(Operation.CLOSE));
      assertEquals(1, f.closes(2));
    }
  }

  @Test
  void closeLetsACommitAlreadyRunningFinish() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      f.faulty(0).on(Operation.COMMIT).delay(java.time.Duration.ofMillis(200));
      f.faulty(1).on(Operation.COMMIT).delay(java.time.Duration.ofMillis(200));
      StorageTransaction tx = raid.begin(TransactionMeta.EMPTY);
      tx.store(Oid.of(1), Tid.NONE, Fixture.bytes("v1"));
      tx.vote();

      CompletableFuture<Tid> committing = CompletableFuture.supplyAsync(tx::commit,
          command -> Thread.ofVirtual().start(command));
      org.awaitility.Awaitility.await().until(() -> f.faulty(1).calls(Operation.COMMIT) == 1);
      raid.close();
      Tid tid = committing.get(10, TimeUnit.SECONDS);

      assertEquals(RaidStatus.CLOSED, raid.status());
      assertEquals(tid, f.memory(0).lastTransaction());
      assertEquals(tid, f.memory(1).lastTransaction());
    }
  }

  @Test
  void transactionNotCommittedBeforeCloseCannotCommitAfter() {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      StorageTransaction tx = raid.begin(TransactionMeta.EMPTY);
      tx.store(Oid.of(1), Tid.NONE, Fixture.bytes("v1"));
      tx.vote();

      raid.close();

      assertThrows(RaidClosedException.class, tx::commit);
      assertDoesNotThrow(tx::close);
      assertEquals(Tid.NONE, f.memory(0).lastTransaction());
      assertEquals(Tid.NONE, f.memory(1).lastTransaction());
    }
  }

  @Test
  void degradedBackendIsClosedOnceAndNotAgainWhenTheRaidCloses() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      f.faulty(1).on(Operation.VOTE).failOnce();
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      org.awaitility.Awaitility.await().until(() -> f.closes(1) == 1);

      raid.close();

      assertEquals(1, f.closes(1));
      assertEquals(1, f.closes(0));
    }
  }
}
