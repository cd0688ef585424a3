package org.loomraid.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.testing.FaultyStorage.Operation;

class FaultyStorageTest {

  private final MemoryStorage memory = MemoryStorage.create("m");
  private final FaultyStorage faulty = FaultyStorage.wrap(memory);

  @AfterEach
  void release() {
    faulty.clearAll();
    faulty.releaseHangs();
    memory.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private Tid commit(String data) {
    try (StorageTransaction tx = faulty.begin(TransactionMeta.EMPTY)) {
      tx.store(Oid.of(1), memory.lastTransaction().isNone() ? Tid.NONE
          : memory.load(Oid.of(1)).serial(), bytes(data));
      tx.vote();
      return tx.commit();
    }
  }

  private static CompletableFuture<Object> inThread(java.util.concurrent.Callable<Object> call,
      AtomicBoolean started) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      started.set(true);
      try {
        result.complete(call.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return result;
  }

  @Test
  void withoutFaultsEveryCallGoesThroughAndIsCounted() {
    Tid tid = commit("v1");
    assertEquals(tid, faulty.lastTransaction());
    assertArrayEquals(bytes("v1"), faulty.load(Oid.of(1)).data());
    assertEquals(1, faulty.calls(Operation.VOTE));
    assertEquals(1, faulty.calls(Operation.LOAD));
    assertSame(memory, faulty.delegate());
    assertEquals("m", faulty.name());
  }

  @Test
  void failOnceFailsOnlyTheNextCallAndChangesNothing() {
    faulty.on(Operation.NEW_OID).failOnce();
    InjectedFaultException e = assertThrows(InjectedFaultException.class, faulty::newOid);
    assertEquals("injected failure in NEW_OID of storage 'm'", e.getMessage());
    assertEquals(Oid.of(1), faulty.newOid(), "the failed call allocated nothing");
  }

  @Test
  void failAlwaysFailsEveryCallUntilCleared() {
    faulty.on(Operation.LAST_TRANSACTION).failAlways(() -> new IllegalStateException("io"));
    assertThrows(IllegalStateException.class, faulty::lastTransaction);
    assertThrows(IllegalStateException.class, faulty::lastTransaction);
    faulty.on(Operation.LAST_TRANSACTION).clear();
    assertEquals(Tid.NONE, faulty.lastTransaction());
  }

  @Test
  void failAfterLetsNCallsThroughThenFailsEveryOne() {
    faulty.on(Operation.STATS).failAfter(2);
    faulty.stats();
    faulty.stats();
    assertThrows(InjectedFaultException.class, faulty::stats);
    assertThrows(InjectedFaultException.class, faulty::stats);
    assertEquals(4, faulty.calls(Operation.STATS));
    assertThrows(IllegalArgumentException.class, () -> faulty.on(Operation.STATS).failAfter(-1));
  }

  @Test
  void suppliedAnswerIsThrownAsIs() {
    faulty.on(Operation.VOTE).failOnce(() -> new ConflictException(Oid.of(1), Tid.NONE,
        Tid.of(3)));
    StorageTransaction tx = faulty.begin(TransactionMeta.EMPTY);
    tx.store(Oid.of(1), Tid.NONE, bytes("x"));
    assertThrows(ConflictException.class, tx::vote);
    assertTrue(commit("after").isAfter(Tid.NONE), "the failed vote released the lock");
  }

  @Test
  void failedCommitAbortsTheWrappedTransaction() {
    faulty.on(Operation.COMMIT).failOnce();
    StorageTransaction tx = faulty.begin(TransactionMeta.EMPTY);
    tx.store(Oid.of(1), Tid.NONE, bytes("x"));
    tx.vote();
    assertThrows(InjectedFaultException.class, tx::commit);
    assertEquals(Tid.NONE, memory.lastTransaction());
    assertTrue(commit("next").isAfter(Tid.NONE), "the wrapped commit lock was released");
  }

  @Test
  void hangEndsWhenTheThreadIsInterrupted() throws Exception {
    faulty.on(Operation.LOAD).hang();
    Thread[] thread = new Thread[1];
    CompletableFuture<Object> result = new CompletableFuture<>();
    thread[0] = Thread.ofVirtual().start(() -> {
      try {
        result.complete(faulty.load(Oid.of(1)));
      } catch (Throwable t) {
        result.complete(t.getClass().getSimpleName() + " interrupted="
            + Thread.currentThread().isInterrupted());
      }
    });
    await().until(() -> faulty.hanging() == 1);
    thread[0].interrupt();
    assertEquals("StorageInterruptedException interrupted=true",
        result.get(10, TimeUnit.SECONDS));
    assertEquals(0, faulty.hanging());
  }

  @Test
  void hangIgnoringInterruptsEndsOnlyWhenReleased() throws Exception {
    faulty.on(Operation.RESTORE).hangIgnoringInterrupts();
    Thread[] thread = new Thread[1];
    CompletableFuture<String> result = new CompletableFuture<>();
    thread[0] = Thread.ofVirtual().start(() -> {
      try {
        faulty.restore(new org.loomraid.storage.TransactionRecord(Tid.of(1),
            TransactionMeta.EMPTY, java.util.List.of()));
        result.complete("returned");
      } catch (InjectedFaultException e) {
        result.complete("released, interrupted=" + Thread.currentThread().isInterrupted());
      }
    });
    await().until(() -> faulty.hanging() == 1);
    thread[0].interrupt();
    assertThrows(java.util.concurrent.TimeoutException.class,
        () -> result.get(200, TimeUnit.MILLISECONDS), "interrupts are ignored");
    assertEquals(1, faulty.hanging());

    faulty.releaseHangs();

    assertEquals("released, interrupted=true", result.get(10, TimeUnit.SECONDS));
    assertEquals(Tid.NONE, memory.lastTransaction(), "the released call did nothing");
  }

  @Test
  void delayWaitsThenProceeds() {
    faulty.on(Operation.LOAD_SERIAL).delay(Duration.ofMillis(100));
    Tid tid = commit("v1");
    long start = System.nanoTime();
    assertArrayEquals(bytes("v1"), faulty.loadSerial(Oid.of(1), tid).data());
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("delay of 100 ms took " + tookMillis + " ms");
    assertTrue(tookMillis >= 100, "took " + tookMillis);
  }

  @Test
  void delayIsInterruptible() throws Exception {
    faulty.on(Operation.STATS).delay(Duration.ofHours(1));
    AtomicBoolean started = new AtomicBoolean();
    Thread caller = Thread.currentThread();
    CompletableFuture<Object> interrupter = inThread(() -> {
      await().until(() -> caller.getState() == Thread.State.TIMED_WAITING);
      caller.interrupt();
      return null;
    }, started);
    try {
      assertThrows(StorageInterruptedException.class, faulty::stats);
      assertTrue(Thread.interrupted(), "interrupt flag set");
    } finally {
      interrupter.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void wrongResultAltersWhatTheWrappedStorageReturned() {
    Tid tid = commit("v1");
    faulty.on(Operation.LAST_TRANSACTION).wrongResult();
    faulty.on(Operation.LOAD).wrongResult();
    faulty.on(Operation.NEW_OID).wrongResult();
    faulty.on(Operation.STATS).wrongResult();
    faulty.on(Operation.TRANSACTIONS).wrongResult();

    assertEquals(tid.next(), faulty.lastTransaction());
    assertFalse(java.util.Arrays.equals(bytes("v1"), faulty.load(Oid.of(1)).data()));
    long wrong = faulty.newOid().value();
    assertEquals(memory.newOid().value() - 1 + 1000, wrong, "an oid 1000 higher");
    assertEquals(memory.stats().objects() + 1, faulty.stats().objects());
    try (TransactionIterator it = faulty.transactions(Tid.NONE)) {
      assertNotEquals(TransactionMeta.EMPTY, it.next().meta());
    }
  }

  @Test
  void wrongResultIsRefusedForOperationsWithoutAResult() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> faulty.on(Operation.VOTE).wrongResult());
    assertTrue(e.getMessage().contains("VOTE"));
  }

  @Test
  void iterateFaultFailsMidIteration() {
    commit("v1");
    commit("v2");
    faulty.on(Operation.ITERATE).failAfter(2);
    try (TransactionIterator it = faulty.transactions(Tid.NONE)) {
      assertTrue(it.hasNext());
      it.next();
      assertThrows(InjectedFaultException.class, it::hasNext);
    }
  }

  @Test
  void closeFaultLeavesTheWrappedStorageOpen() {
    faulty.on(Operation.CLOSE).failOnce();
    assertThrows(InjectedFaultException.class, faulty::close);
    assertEquals(Tid.NONE, memory.lastTransaction());
    faulty.close();
    assertThrows(org.loomraid.storage.StorageClosedException.class, memory::lastTransaction);
  }
}
