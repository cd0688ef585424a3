package org.loomraid.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state machine and hook order that every buffered storage transaction inherits. */
class BufferedTransactionTest {

  private static final Tid TID = Tid.of(1_000);

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  /** Records every hook call; can be told to fail in a hook. */
  private static final class Recording extends BufferedTransaction {
    final List<String> calls = new ArrayList<>();
    RuntimeException failVote;
    RuntimeException failCommit;
    RuntimeException failAbort;
    Oid conflictOn;
    List<Store> votedStores;

    Recording() {
      super(TransactionMeta.of("u", "d"), Tid.NONE);
    }

    @Override
    protected void checkStore(Store store) {
      if (store.oid().equals(conflictOn)) {
        throw new ConflictException(store.oid(), store.expectedSerial(), TID);
      }
    }

    @Override
    protected void onVote(List<Store> stores) {
      calls.add("vote");
      votedStores = stores;
      if (failVote != null) {
        throw failVote;
      }
    }

    @Override
    protected Tid onCommit() {
      calls.add("commit");
      if (failCommit != null) {
        throw failCommit;
      }
      return TID;
    }

    @Override
    protected void onAbort(boolean voted) {
      calls.add("abort(" + voted + ")");
      if (failAbort != null) {
        throw failAbort;
      }
    }
  }

  @Test
  void voteThenCommitCallsTheHooksInOrder() {
    Recording tx = new Recording();
    tx.store(Oid.of(1), Tid.NONE, bytes("a"));
    tx.vote();
    assertEquals(TID, tx.commit());
    tx.close();
    assertEquals(List.of("vote", "commit"), tx.calls);
    assertTrue(tx.isCommitted());
  }

  @Test
  void storesKeepFirstPositionAndLaterDataAndAreCopied() {
    Recording tx = new Recording();
    byte[] data = bytes("b1");
    tx.store(Oid.of(2), Tid.NONE, data);
    tx.store(Oid.of(1), Tid.of(5), bytes("a"));
    tx.store(Oid.of(2), Tid.of(7), bytes("b2"));
    data[0] = 'X';
    tx.vote();
    assertEquals(List.of(
        new BufferedTransaction.Store(Oid.of(2), Tid.of(7), bytes("b2")),
        new BufferedTransaction.Store(Oid.of(1), Tid.of(5), bytes("a"))), tx.votedStores);
    assertEquals(new DataRecord(Oid.of(2), bytes("b2")), tx.votedStores.get(0).toRecord());
  }

  @Test
  void exposesMetaAndRequestedTid() {
    BufferedTransaction tx = new BufferedTransaction(TransactionMeta.EMPTY, TID) {
      @Override
      protected void onVote(List<Store> stores) {
        assertSame(TransactionMeta.EMPTY, meta());
        assertEquals(TID, requestedTid());
        assertEquals(List.of(), stores());
      }

      @Override
      protected Tid onCommit() {
        return requestedTid();
      }

      @Override
      protected void onAbort(boolean voted) {}
    };
    tx.vote();
    assertEquals(TID, tx.commit());
  }

  @Test
  void constructorRefusesNulls() {
    assertThrows(NullPointerException.class, () -> new BufferedTransaction(null, Tid.NONE) {
      @Override
      protected void onVote(List<Store> stores) {}

      @Override
      protected Tid onCommit() {
        return TID;
      }

      @Override
      protected void onAbort(boolean voted) {}
    });
  }

  @Test
  void abortBeforeVoteAndAfterVoteSayWhichItWas() {
    Recording active = new Recording();
    active.abort();
    Recording voted = new Recording();
    voted.vote();
    voted.abort();
    assertEquals(List.of("abort(false)"), active.calls);
    assertEquals(List.of("vote", "abort(true)"), voted.calls);
  }

  @Test
  void abortTwiceAndCloseAfterwardsCallTheHookOnce() {
    Recording tx = new Recording();
    tx.abort();
    tx.abort();
    tx.close();
    assertEquals(List.of("abort(false)"), tx.calls);
  }

  @Test
  void closeAbortsAnActiveOrVotedTransactionOnce() {
    Recording active = new Recording();
    active.close();
    active.close();
    Recording voted = new Recording();
    voted.vote();
    voted.close();
    voted.close();
    assertEquals(List.of("abort(false)"), active.calls);
    assertEquals(List.of("vote", "abort(true)"), voted.calls);
  }

  @Test
  void wrongStateCallsThrowAndCallNoHook() {
    Recording tx = new Recording();
    IllegalStateException early = assertThrows(IllegalStateException.class, tx::commit);
    assertTrue(early.getMessage().contains("ACTIVE"), early.getMessage());
    tx.vote();
    assertThrows(IllegalStateException.class, tx::vote);
    assertThrows(IllegalStateException.class, () -> tx.store(Oid.of(1), Tid.NONE, bytes("x")));
    tx.commit();
    assertThrows(IllegalStateException.class, tx::commit);
    assertThrows(IllegalStateException.class, tx::vote);
    assertThrows(IllegalStateException.class, tx::abort);
    assertEquals(List.of("vote", "commit"), tx.calls);
  }

  @Test
  void failedVoteAbortsWithoutTheLockFlagAndRethrows() {
    Recording tx = new Recording();
    tx.failVote = new IllegalStateException("boom");
    assertSame(tx.failVote, assertThrows(IllegalStateException.class, tx::vote));
    assertEquals(List.of("vote", "abort(false)"), tx.calls);
    assertThrows(IllegalStateException.class, tx::commit);
    tx.abort();
    tx.close();
    assertEquals(2, tx.calls.size());
  }

  @Test
  void failedCommitAbortsWithTheLockFlagAndRethrows() {
    Recording tx = new Recording();
    tx.failCommit = new IllegalStateException("disk gone");
    tx.vote();
    assertSame(tx.failCommit, assertThrows(IllegalStateException.class, tx::commit));
    assertEquals(List.of("vote", "commit", "abort(true)"), tx.calls);
    assertThrows(IllegalStateException.class, tx::commit);
    tx.close();
    assertEquals(3, tx.calls.size());
  }

  @Test
  void exceptionFromAbortAfterAFailureIsSuppressedNotLost() {
    Recording tx = new Recording();
    tx.failVote = new IllegalStateException("vote failed");
    tx.failAbort = new IllegalStateException("abort failed too");
    IllegalStateException thrown = assertThrows(IllegalStateException.class, tx::vote);
    assertSame(tx.failVote, thrown);
    assertArrayEquals(new Throwable[] {tx.failAbort}, thrown.getSuppressed());
  }

  @Test
  void conflictAtStoreAbortsTheTransaction() {
    Recording tx = new Recording();
    tx.conflictOn = Oid.of(2);
    tx.store(Oid.of(1), Tid.NONE, bytes("fine"));
    ConflictException conflict =
        assertThrows(ConflictException.class, () -> tx.store(Oid.of(2), Tid.NONE, bytes("x")));
    assertEquals(Oid.of(2), conflict.oid());
    assertEquals(List.of("abort(false)"), tx.calls);
    assertThrows(IllegalStateException.class, tx::vote);
    assertThrows(IllegalStateException.class, () -> tx.store(Oid.of(3), Tid.NONE, bytes("x")));
  }

  @Test
  void badArgumentsToStoreLeaveTheTransactionActiveAndUnchanged() {
    Recording tx = new Recording();
    tx.store(Oid.of(1), Tid.NONE, bytes("kept"));
    assertEquals("oid", assertThrows(NullPointerException.class,
        () -> tx.store(null, Tid.NONE, bytes("x"))).getMessage());
    assertEquals("expectedSerial", assertThrows(NullPointerException.class,
        () -> tx.store(Oid.of(2), null, bytes("x"))).getMessage());
    assertEquals("data", assertThrows(NullPointerException.class,
        () -> tx.store(Oid.of(2), Tid.NONE, null)).getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> tx.store(Oid.of(1), Tid.NONE, new byte[DataRecord.MAX_DATA_LENGTH + 1]));
    tx.vote();
    assertEquals(List.of(new BufferedTransaction.Store(Oid.of(1), Tid.NONE, bytes("kept"))),
        tx.votedStores);
    assertEquals(List.of("vote"), tx.calls);
  }
}
