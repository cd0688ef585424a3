package org.loomraid.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the contract suite cannot test generically: settings, the commit-lock bound, the lock's bookkeeping. */
@Timeout(60)
class MemoryStorageTest {

  private static final TransactionMeta META = TransactionMeta.of("test", "memory storage");
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(150);
  private static final ThreadFactory WORKER_THREADS =
      Thread.ofVirtual().name("memory-test-worker-", 0).factory();

  private MemoryStorage storage = MemoryStorage.builder("memory-test")
      .commitLockTimeout(SHORT_TIMEOUT)
      .build();

  @AfterEach
  void close() {
    storage.close();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  private StorageTransaction voted(Oid oid) {
    StorageTransaction tx = storage.begin(META);
    tx.store(oid, Tid.NONE, bytes("holder"));
    tx.vote();
    return tx;
  }

  // ------------------------------------------------------------------ builder

  @Test
  void builderRefusesANullOrBlankName() {
    assertEquals("name",
        assertThrows(NullPointerException.class, () -> MemoryStorage.builder(null)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MemoryStorage.builder(" "))
        .getMessage().contains("name"));
    assertThrows(NullPointerException.class, () -> MemoryStorage.create(null));
  }

  @Test
  void builderRefusesANonPositiveOrNullCommitLockTimeout() {
    MemoryStorage.Builder builder = MemoryStorage.builder("x");
    for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(-1))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> builder.commitLockTimeout(bad));
      assertTrue(e.getMessage().contains("commitLockTimeout"), e.getMessage());
    }
    assertEquals("commitLockTimeout",
        assertThrows(NullPointerException.class, () -> builder.commitLockTimeout(null))
            .getMessage());
  }

  @Test
  void builderRefusesANullTidGenerator() {
    assertEquals("tidGenerator", assertThrows(NullPointerException.class,
        () -> MemoryStorage.builder("x").tidGenerator(null)).getMessage());
  }

  @Test
  void createBuildsAnEmptyStorageWithTheName() {
    MemoryStorage created = MemoryStorage.create("plain");
    assertEquals("plain", created.name());
    assertEquals(Tid.NONE, created.lastTransaction());
    assertEquals(new StorageStats(0, 0, 0), created.stats());
    assertEquals("MemoryStorage[plain]", created.toString());
    created.close();
    assertEquals("MemoryStorage[plain, closed]", created.toString());
    assertEquals("plain", created.name());
  }

  // ------------------------------------------------------------------ tids from the injected clock

  @Test
  void tidsComeFromTheInjectedClock() {
    Instant now = Instant.parse("2030-01-02T03:04:05.123456Z");
    try (MemoryStorage clocked = MemoryStorage.builder("clocked")
        .tidGenerator(TidGenerator.withClock(InstantSource.fixed(now)))
        .build()) {
      List<Tid> tids = List.of(commitEmpty(clocked), commitEmpty(clocked), commitEmpty(clocked));
      long micros = Tid.of(now).value();
      assertEquals(List.of(Tid.of(micros), Tid.of(micros + 1), Tid.of(micros + 2)), tids);
    }
  }

  private static Tid commitEmpty(Storage storage) {
    try (StorageTransaction tx = storage.begin(META)) {
      tx.vote();
      return tx.commit();
    }
  }

  // ------------------------------------------------------------------ the commit lock

  @Test
  void voteTimesOutWhileAnotherTransactionIsVoted() {
    Oid held = storage.newOid();
    Oid waiting = storage.newOid();
    StorageTransaction holder = voted(held);
    StorageTransaction late = storage.begin(META);
    late.store(waiting, Tid.NONE, bytes("late"));
    long start = System.nanoTime();
    CommitLockTimeoutException e = assertThrows(CommitLockTimeoutException.class, late::vote);
    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf("vote gave up after %d ms (timeout %d ms)%n",
        waited.toMillis(), SHORT_TIMEOUT.toMillis());
    assertTrue(e.getMessage().contains("memory-test"), e.getMessage());
    assertTrue(e.getMessage().contains(SHORT_TIMEOUT.toString()), e.getMessage());
    assertTrue(waited.compareTo(SHORT_TIMEOUT.minusMillis(20)) >= 0, "gave up early: " + waited);
    assertTrue(waited.compareTo(Duration.ofSeconds(20)) < 0, "waited far too long: " + waited);
    assertThrows(IllegalStateException.class, late::vote, "timed-out transaction is aborted");
    assertEquals(0, storage.commitLockPermits(), "the holder still holds the lock");

    Tid committed = holder.commit();
    assertEquals(1, storage.commitLockPermits());
    assertEquals(committed, storage.lastTransaction());
    assertThrows(ObjectNotFoundException.class, () -> storage.load(waiting));
    StorageTransaction next = storage.begin(META);
    next.store(waiting, Tid.NONE, bytes("next"));
    next.vote();
    next.commit();
    assertEquals("next", new String(storage.load(waiting).data(), UTF_8));
  }

  @Test
  void restoreAndPackTimeOutWhileATransactionIsVoted() {
    Tid first = commitEmpty(storage);
    StorageTransaction holder = voted(storage.newOid());
    TransactionRecord record = new TransactionRecord(first.next().next(), META, List.of());
    assertThrows(CommitLockTimeoutException.class, () -> storage.restore(record));
    assertThrows(CommitLockTimeoutException.class, () -> storage.pack(first));
    assertEquals(first, storage.lastTransaction());
    holder.abort();
    assertEquals(1, storage.commitLockPermits());
    storage.restore(record);
    assertEquals(record.tid(), storage.lastTransaction());
  }

  @Test
  void secondVoteSucceedsWhenTheHolderCommitsWithinTheTimeout() throws Exception {
    storage.close();
    storage = MemoryStorage.builder("patient").commitLockTimeout(Duration.ofSeconds(20)).build();
    StorageTransaction holder = voted(storage.newOid());
    StorageTransaction waiter = storage.begin(META);
    waiter.store(storage.newOid(), Tid.NONE, bytes("waiter"));
    try (ExecutorService workers = Executors.newThreadPerTaskExecutor(WORKER_THREADS)) {
      Future<Tid> waiting = workers.submit(() -> {
        waiter.vote();
        return waiter.commit();
      });
      await().atMost(Duration.ofSeconds(10))
          .until(() -> storage.commitLockPermits() == 0 && !waiting.isDone());
      Tid first = holder.commit();
      Tid second = waiting.get(10, TimeUnit.SECONDS);
      assertTrue(second.isAfter(first));
    }
    assertEquals(1, storage.commitLockPermits());
  }

  @Test
  void commitLockIsReleasedExactlyOnceAfterAFailedCommit() {
    StorageTransaction tx = voted(storage.newOid());
    assertEquals(0, storage.commitLockPermits());
    storage.close();
    assertThrows(StorageClosedException.class, tx::commit);
    assertEquals(1, storage.commitLockPermits(), "lock released twice, or not at all");
    tx.close();
    tx.abort();
    assertEquals(1, storage.commitLockPermits());
  }

  @Test
  void commitLockIsReleasedExactlyOnceAfterAConflictAtVote() {
    Oid oid = storage.newOid();
    StorageTransaction slow = storage.begin(META);
    slow.store(oid, Tid.NONE, bytes("slow"));
    StorageTransaction fast = voted(oid);
    fast.commit();
    assertThrows(ConflictException.class, slow::vote);
    slow.close();
    assertEquals(1, storage.commitLockPermits());
  }

  @Test
  void commitLockIsReleasedExactlyOnceAfterAbortAndClose() {
    StorageTransaction tx = voted(storage.newOid());
    tx.abort();
    tx.abort();
    tx.close();
    assertEquals(1, storage.commitLockPermits());
    StorageTransaction other = voted(storage.newOid());
    other.close();
    other.close();
    assertEquals(1, storage.commitLockPermits());
  }

  @Test
  void commitLockIsNotTakenByAStaleTidVote() {
    Tid first = commitEmpty(storage);
    StorageTransaction overtaken = storage.begin(META, first.next());
    try (StorageTransaction tx = storage.begin(META, first.next().next())) {
      tx.vote();
      tx.commit();
    }
    assertThrows(StaleTidException.class, overtaken::vote);
    assertEquals(1, storage.commitLockPermits());
  }

  @Test
  void interruptedVoteFailsKeepsTheFlagAndLeavesTheLockAlone() {
    StorageTransaction tx = storage.begin(META);
    tx.store(storage.newOid(), Tid.NONE, bytes("interrupted"));
    Thread.currentThread().interrupt();
    StorageInterruptedException e;
    try {
      e = assertThrows(StorageInterruptedException.class, tx::vote);
    } finally {
      assertTrue(Thread.interrupted(), "interrupt flag not restored");
    }
    assertTrue(e.getCause() instanceof InterruptedException);
    assertFalse(StorageException.class.isInstance(e), "an interrupt is a failure, not an answer");
    assertThrows(IllegalStateException.class, tx::vote, "interrupted transaction is aborted");
    assertEquals(1, storage.commitLockPermits());
    assertEquals(Tid.NONE, storage.lastTransaction());
  }

  @Test
  void closeWhileVotedStillLetsTheTransactionEnd() {
    StorageTransaction tx = voted(storage.newOid());
    storage.close();
    tx.abort();
    assertEquals(1, storage.commitLockPermits());
    assertThrows(StorageClosedException.class, storage::lastTransaction);
  }

  // ------------------------------------------------------------------ pack bookkeeping

  @Test
  void packReclaimsBytesAndKeepsIsolationOfOldRecords() {
    Oid oid = storage.newOid();
    Tid t1 = commit(oid, Tid.NONE, "12345");
    Tid t2 = commit(oid, t1, "123");
    List<TransactionRecord> before;
    try (TransactionIterator it = storage.transactions(Tid.NONE)) {
      before = List.of(it.next(), it.next());
    }
    storage.pack(t2.next());
    assertEquals(new StorageStats(1, 2, 3), storage.stats());
    assertEquals(1, before.get(0).records().size(), "records already handed out must not change");
  }

  private Tid commit(Oid oid, Tid expected, String data) {
    try (StorageTransaction tx = storage.begin(META)) {
      tx.store(oid, expected, bytes(data));
      tx.vote();
      return tx.commit();
    }
  }
}
