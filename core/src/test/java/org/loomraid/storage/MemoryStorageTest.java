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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  void restoreTimesOutWhileATransactionIsVoted() {
    Tid first = commitEmpty(storage);
    StorageTransaction holder = voted(storage.newOid());
    TransactionRecord record = new TransactionRecord(first.next().next(), META, List.of());
    assertThrows(CommitLockTimeoutException.class, () -> storage.restore(record));
    assertEquals(first, storage.lastTransaction());
    holder.abort();
    assertEquals(1, storage.commitLockPermits());
    storage.restore(record);
    assertEquals(record.tid(), storage.lastTransaction());
  }

  @Test
  void packDoesNotWaitForAVotedTransactionAndTheTransactionStillCommits() {
    Oid oid = storage.newOid();
    Tid t1 = commit(oid, Tid.NONE, "one");
    Tid t2 = commit(oid, t1, "two");
    Oid other = storage.newOid();
    StorageTransaction holder = storage.begin(META);
    holder.store(oid, t2, bytes("three"));
    holder.store(other, Tid.NONE, bytes("other"));
    holder.vote();
    assertEquals(0, storage.commitLockPermits());
    storage.pack(t2.next());
    assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(oid, t1), "the pack ran");
    assertEquals(0, storage.commitLockPermits(), "the pack took no permit");
    Tid t3 = holder.commit();
    assertEquals("three", new String(storage.load(oid).data(), UTF_8));
    assertEquals(t3, storage.lastTransaction());
    assertEquals(new StorageStats(2, 3, 3 + 5 + 5), storage.stats());
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
  void interruptedVoteThatMustWaitFailsKeepsTheFlagAndLeavesTheLockAlone() {
    StorageTransaction holder = voted(storage.newOid());
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
    assertEquals(0, storage.commitLockPermits(), "the holder keeps the lock");
    holder.abort();
    assertEquals(1, storage.commitLockPermits());
    assertEquals(Tid.NONE, storage.lastTransaction());
  }

  @Test
  void interruptedThreadVotesAndCommitsWhenTheLockIsFree() {
    assertTrue(storage.transactionsNeverBlock());
    Oid oid = storage.newOid();
    StorageTransaction tx = storage.begin(META);
    tx.store(oid, Tid.NONE, bytes("interrupted"));
    Thread.currentThread().interrupt();
    Tid tid;
    try {
      tx.vote();
      tid = tx.commit();
    } finally {
      assertTrue(Thread.interrupted(), "interrupt flag cleared");
    }
    assertEquals(tid, storage.load(oid).serial());
    assertEquals(1, storage.commitLockPermits());
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

  // ------------------------------------------------------------------ long histories

  @Test
  void everyRevisionOfAHotObjectStaysReachableAcrossChunksAndPacks() {
    Oid hot = storage.newOid();
    List<Tid> serials = new ArrayList<>();
    Tid serial = Tid.NONE;
    int revisions = 3 * ChunkedHistory.CHUNK + 7;
    for (int i = 0; i < revisions; i++) {
      serial = commit(hot, serial, "v" + i);
      serials.add(serial);
    }
    for (int i = 0; i < revisions; i += 13) {
      assertEquals("v" + i, text(storage.loadSerial(hot, serials.get(i))));
      assertEquals("v" + i, text(storage.loadBefore(hot, serials.get(i).next()).orElseThrow()));
    }
    assertTrue(storage.loadBefore(hot, serials.get(0)).isEmpty());
    assertEquals("v" + (revisions - 1), text(storage.load(hot)));

    int middle = 2 * ChunkedHistory.CHUNK + 3;
    storage.pack(serials.get(middle));
    assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(hot, serials.get(middle - 2)));
    assertEquals("v" + (middle - 1), text(storage.loadBefore(hot, serials.get(middle)).orElseThrow()),
        "the revision current just before the pack tid is kept");
    for (int i = middle; i < revisions; i++) {
      assertEquals("v" + i, text(storage.loadSerial(hot, serials.get(i))));
    }
    long kept = 0;
    for (int i = middle - 1; i < revisions; i++) {
      kept += ("v" + i).length();
    }
    assertEquals(new StorageStats(1, revisions, kept), storage.stats());
    List<TransactionRecord> history = all(storage);
    assertEquals(revisions, history.size(), "transactions are kept");
    assertTrue(history.get(0).records().isEmpty(), "a dropped revision leaves its transaction");
    assertEquals("v" + middle, new String(history.get(middle).records().get(0).data(), UTF_8));

    Tid next = commit(hot, serial, "after the pack");
    storage.pack(next.next());
    assertEquals(new StorageStats(1, revisions + 1, "after the pack".length()), storage.stats());
    assertEquals("after the pack", text(storage.loadSerial(hot, next)));
  }

  // ------------------------------------------------------------------ issue 10, scenario 10

  /**
   * A commit that is in the histories but not yet published is invisible to reads, so the early
   * conflict check must not see it either: the writer learns of the conflict at vote, once its own
   * reads show the commit it conflicts with.
   */
  @Test
  void aStoreIsNotToldOfAConflictWithACommitThatReadsDoNotShowYet() throws Exception {
    CountDownLatch publishing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean hold = new AtomicBoolean();
    storage.close();
    storage = MemoryStorage.builder("linearizable").observer(new MemoryStorage.Observer() {
      @Override
      public void beforePublish(Tid tid) {
        if (hold.getAndSet(false)) {
          publishing.countDown();
          awaitQuietly(release);
        }
      }
    }).build();
    Oid oid = storage.newOid();
    Tid first = commit(oid, Tid.NONE, "v1");
    hold.set(true);
    try (ExecutorService workers = Executors.newThreadPerTaskExecutor(WORKER_THREADS)) {
      Future<Tid> writer = workers.submit(() -> commit(oid, first, "v2"));
      assertTrue(publishing.await(10, TimeUnit.SECONDS), "the writer reached publication");
      StorageTransaction late = storage.begin(META);
      try {
        assertEquals(first, storage.lastTransaction());
        assertEquals(first, storage.load(oid).serial(), "reads do not show the commit yet");
        late.store(oid, first, bytes("v2 from a late writer"));
      } finally {
        release.countDown();
      }
      Tid second = writer.get(10, TimeUnit.SECONDS);
      ConflictException conflict = assertThrows(ConflictException.class, late::vote);
      assertEquals(second, conflict.actualSerial());
      assertEquals(second, storage.load(oid).serial(), "reads show what the conflict names");
    }
  }

  // ------------------------------------------------------------------ issue 10, scenario 1

  /**
   * Pack never holds the commit lock: with a pack held midway (at an object it is about to shorten),
   * commits to that object and others go through at once, and the pack then finishes, keeping them.
   */
  @Test
  void aCommitDuringALongPackIsNotHeldUpByIt() throws Exception {
    CountDownLatch packing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean hold = new AtomicBoolean();
    storage.close();
    storage = MemoryStorage.builder("packing").commitLockTimeout(SHORT_TIMEOUT)
        .observer(new MemoryStorage.Observer() {
          @Override
          public void packing(Oid oid) {
            if (hold.getAndSet(false)) {
              packing.countDown();
              awaitQuietly(release);
            }
          }
        }).build();
    Oid a = storage.newOid();
    Oid b = storage.newOid();
    Tid a1 = commit(a, Tid.NONE, "a1");
    Tid b1 = commit(b, Tid.NONE, "b1");
    Tid a2 = commit(a, a1, "a2");
    Tid b2 = commit(b, b1, "b2");
    hold.set(true);
    try (ExecutorService workers = Executors.newThreadPerTaskExecutor(WORKER_THREADS)) {
      Future<?> pack = workers.submit(() -> storage.pack(b2.next()));
      Tid a3;
      Tid b3;
      try {
        assertTrue(packing.await(10, TimeUnit.SECONDS), "the pack reached its first object");
        a3 = commit(a, a2, "a3 during the pack");
        b3 = commit(b, b2, "b3 during the pack");
        assertTrue(!pack.isDone(), "the pack is still held");
      } finally {
        release.countDown();
      }
      pack.get(10, TimeUnit.SECONDS);
      assertEquals("a3 during the pack", text(storage.load(a)));
      assertEquals("b3 during the pack", text(storage.load(b)));
      assertEquals(a3, storage.loadSerial(a, a3).serial());
      assertEquals(b3, storage.loadSerial(b, b3).serial());
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(a, a1), "a was packed");
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(b, b1), "b was packed");
      assertEquals("a2", text(storage.loadSerial(a, a2)), "kept: newest before the pack tid");
      long bytes = "a2b2".length() + 2 * "a3 during the pack".length();
      assertEquals(new StorageStats(2, 6, bytes), storage.stats());
    }
  }

  /**
   * Packs dropping revisions in place while a writer rewrites hot objects across chunk boundaries
   * and readers load them: no reader ever fails or goes back in time, every pack keeps what it must,
   * and the byte count ends exact.
   */
  @Test
  void readersAndAWriterRaceRepeatedPacksWithoutHarm() throws Exception {
    storage.close();
    storage = MemoryStorage.create("racing");
    int objects = 4;
    int commits = 12 * ChunkedHistory.CHUNK;
    Oid[] oids = new Oid[objects];
    for (int o = 0; o < objects; o++) {
      oids[o] = storage.newOid();
    }
    java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    try (ExecutorService workers = Executors.newThreadPerTaskExecutor(WORKER_THREADS)) {
      for (int r = 0; r < 2; r++) {
        workers.submit(() -> {
          long[] seen = new long[objects];
          while (writing.get()) {
            for (int o = 0; o < objects; o++) {
              try {
                Revision revision = storage.load(oids[o]);
                long version = Long.parseLong(text(revision));
                if (version < seen[o]) {
                  errors.add(new AssertionError(oids[o] + " went back from " + seen[o] + " to " + version));
                }
                seen[o] = version;
              } catch (ObjectNotFoundException notYet) {
                if (seen[o] > 0) {
                  errors.add(new AssertionError(oids[o] + " vanished after version " + seen[o]));
                }
              } catch (RuntimeException | Error e) {
                errors.add(e);
              }
            }
          }
          return null;
        });
      }
      workers.submit(() -> {
        while (writing.get()) {
          try {
            Tid last = storage.lastTransaction();
            if (!last.isNone()) {
              storage.pack(last);
            }
          } catch (RuntimeException | Error e) {
            errors.add(e);
          }
        }
        return null;
      });
      Tid[] serials = new Tid[objects];
      java.util.Arrays.fill(serials, Tid.NONE);
      try {
        for (int i = 1; i <= commits; i++) {
          int o = i % objects;
          serials[o] = commit(oids[o], serials[o], Long.toString(i));
        }
      } finally {
        writing.set(false);
      }
    }
    assertTrue(errors.isEmpty(), () -> "during the race: " + errors.stream().limit(3).toList());
    storage.pack(storage.lastTransaction().next());
    long bytes = 0;
    for (int o = 0; o < objects; o++) {
      bytes += text(storage.load(oids[o])).length();
      assertEquals(Long.toString(commits - (commits - o) % objects), text(storage.load(oids[o])),
          "object " + o + " holds its last version");
    }
    assertEquals(new StorageStats(objects, commits, bytes), storage.stats(), "bytes exact after the packs");
  }

  /**
   * A reader whose snapshot predates a commit that a pack then uses to drop the older revisions
   * finds nothing visible as of its snapshot; load must not call the object missing, but ask again
   * with a fresh snapshot and return the current revision.
   */
  @Test
  void aLoadRacingAPackThatDroppedItsSnapshotsRevisionReturnsTheCurrentOne() throws Exception {
    CountDownLatch snapshotTaken = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean hold = new AtomicBoolean();
    storage.close();
    storage = MemoryStorage.builder("stale reader").observer(new MemoryStorage.Observer() {
      @Override
      public void snapshotTaken(Oid oid) {
        if (hold.getAndSet(false)) {
          snapshotTaken.countDown();
          awaitQuietly(release);
        }
      }
    }).build();
    Oid oid = storage.newOid();
    Tid v1 = commit(oid, Tid.NONE, "v1");
    Tid v2 = commit(oid, v1, "v2");
    hold.set(true);
    try (ExecutorService workers = Executors.newThreadPerTaskExecutor(WORKER_THREADS)) {
      Future<Revision> reader = workers.submit(() -> storage.load(oid));
      try {
        assertTrue(snapshotTaken.await(10, TimeUnit.SECONDS), "the reader took its snapshot");
        Tid v3 = commit(oid, v2, "v3");
        storage.pack(v3.next());
        assertTrue(storage.loadBefore(oid, v3).isEmpty(), "v1 and v2 were packed away");
      } finally {
        release.countDown();
      }
      assertEquals("v3", text(reader.get(10, TimeUnit.SECONDS)));
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the held step");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String text(Revision revision) {
    return new String(revision.data(), UTF_8);
  }

  private static List<TransactionRecord> all(Storage storage) {
    List<TransactionRecord> records = new ArrayList<>();
    try (TransactionIterator it = storage.transactions(Tid.NONE)) {
      it.forEachRemaining(records::add);
    }
    return records;
  }

  private Tid commit(Oid oid, Tid expected, String data) {
    try (StorageTransaction tx = storage.begin(META)) {
      tx.store(oid, expected, bytes(data));
      tx.vote();
      return tx.commit();
    }
  }
}
