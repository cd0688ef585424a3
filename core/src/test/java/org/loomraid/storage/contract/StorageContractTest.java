package org.loomraid.storage.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.IdSpaceExhaustedException;
import org.loomraid.storage.LimitExceededException;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * The contract every {@link Storage} must pass: memory, file, remote, and the RAID itself.
 *
 * <p>Subclass it and implement {@link #createStorage(String)}; a durable storage also overrides
 * {@link #isDurable()} and {@link #reopen(Storage)}, which enables the durability tests (they are
 * skipped otherwise). Every test gets a fresh, empty storage from {@link #createStorage(String)};
 * the suite closes every storage it opened or reopened after each test.
 *
 * <p>The suite only asserts what the {@link Storage} and {@link StorageTransaction} Javadoc
 * promise. Where the contract leaves a choice to the storage (a conflict raised at {@code store}
 * or at {@code vote}; whether an iterator sees transactions committed after it was created), the
 * tests accept either. Storage-specific behaviour that needs a configuration the suite cannot
 * know (the commit-lock timeout) is tested by each storage's own tests.
 */
@Timeout(60)
public abstract class StorageContractTest {

  /** Creates a new, empty, open storage. Called at least once per test; names are unique. */
  protected abstract Storage createStorage(String name);

  /** Whether the storage keeps its data across {@link #reopen(Storage)}; false by default. */
  protected boolean isDurable() {
    return false;
  }

  /**
   * Opens the same data again after {@code closed} was closed (durable storages only). The suite
   * has already closed {@code closed}; its {@link Storage#name()} still answers, so a subclass can
   * use the name given to {@link #createStorage(String)} to find the data. The returned storage is
   * closed by the suite.
   *
   * @throws UnsupportedOperationException unless overridden
   */
  protected Storage reopen(Storage closed) {
    throw new UnsupportedOperationException(
        "storage is not durable: override isDurable() and reopen(Storage) to enable reopen tests");
  }

  /** Plenty for every wait in the suite, and still well inside the per-test timeout. */
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private static final TransactionMeta META =
      new TransactionMeta("contract", "contract suite", Map.of("suite", "storage"));

  /** Where the suite creates threads: virtual workers, named after the suite... */
  private static final ThreadFactory WORKER_THREADS =
      Thread.ofVirtual().name("contract-worker-", 0).factory();

  /**
   * ...and platform threads for readers that spin. A spinning virtual thread is never preempted
   * and can starve the virtual threads the writer and the storage itself need; the OS time-slices
   * platform threads fairly. Daemons, so that a stuck reader cannot keep a test JVM alive.
   */
  private static final ThreadFactory SPINNING_READER_THREADS =
      Thread.ofPlatform().name("contract-reader-", 0).daemon(true).factory();

  private static final AtomicInteger STORAGE_NUMBERS = new AtomicInteger();

  private final List<Storage> opened = new ArrayList<>();
  private String testName = "contract";

  /** The storage under test, fresh for every test; replaced by {@link #reopenStorage()}. */
  protected Storage storage;

  @BeforeEach
  void openStorage(TestInfo info) {
    testName = info.getTestMethod().map(m -> m.getName()).orElse("contract");
    storage = open();
  }

  @AfterEach
  void closeEverythingOpened() {
    List<Throwable> failures = new ArrayList<>();
    for (Storage each : opened) {
      try {
        each.close();
      } catch (RuntimeException | Error e) {
        failures.add(e);
      }
    }
    opened.clear();
    if (!failures.isEmpty()) {
      AssertionError error = new AssertionError("close() threw", failures.get(0));
      failures.stream().skip(1).forEach(error::addSuppressed);
      throw error;
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Opens another fresh storage, closed after the test. */
  protected final Storage open() {
    Storage created =
        createStorage("contract-" + testName + "-" + STORAGE_NUMBERS.incrementAndGet());
    assertNotNull(created, "createStorage returned null");
    opened.add(created);
    return created;
  }

  /** Closes {@link #storage}, reopens it through {@link #reopen(Storage)} and makes it current. */
  protected final void reopenStorage() {
    storage.close();
    Storage reopened = reopen(storage);
    assertNotNull(reopened, "reopen returned null");
    opened.add(reopened);
    storage = reopened;
  }

  private void requireDurable() {
    assumeTrue(isDurable(), "storage is not durable");
  }

  static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  static String text(Revision revision) {
    return new String(revision.data(), UTF_8);
  }

  /** The current serial of {@code oid}, or {@link Tid#NONE} if it has no revision. */
  static Tid serialOf(Storage storage, Oid oid) {
    try {
      return storage.load(oid).serial();
    } catch (ObjectNotFoundException e) {
      return Tid.NONE;
    }
  }

  /** Commits {@code writes} (in order) in one transaction, reading each expected serial first. */
  static Tid commit(Storage storage, TransactionMeta meta, Map<Oid, byte[]> writes) {
    try (StorageTransaction tx = storage.begin(meta)) {
      writes.forEach((oid, data) -> tx.store(oid, serialOf(storage, oid), data));
      tx.vote();
      return tx.commit();
    }
  }

  /** Commits one object with the given text as its data. */
  Tid write(Oid oid, String data) {
    return commit(storage, META, Map.of(oid, bytes(data)));
  }

  /** Commits several objects in one transaction, in the order given. */
  Tid write(Oid a, String dataA, Oid b, String dataB) {
    Map<Oid, byte[]> writes = new LinkedHashMap<>();
    writes.put(a, bytes(dataA));
    writes.put(b, bytes(dataB));
    return commit(storage, META, writes);
  }

  static List<TransactionRecord> transactionsOf(Storage storage, Tid after) {
    List<TransactionRecord> all = new ArrayList<>();
    try (TransactionIterator it = storage.transactions(after)) {
      it.forEachRemaining(all::add);
    }
    return all;
  }

  static List<Tid> tidsOf(List<TransactionRecord> records) {
    return records.stream().map(TransactionRecord::tid).toList();
  }

  /** Everything observable about a storage without changing it. */
  record Snapshot(Tid last, StorageStats stats, List<TransactionRecord> transactions) {
    static Snapshot of(Storage storage) {
      return new Snapshot(
          storage.lastTransaction(), storage.stats(), transactionsOf(storage, Tid.NONE));
    }
  }

  void assertUnchanged(Snapshot before, String what) {
    assertEquals(before, Snapshot.of(storage), what + " changed the storage");
  }

  static void assertNotFound(Storage storage, Oid oid) {
    ObjectNotFoundException e =
        assertThrows(ObjectNotFoundException.class, () -> storage.load(oid), oid + " exists");
    assertEquals(oid, e.oid());
  }

  /**
   * Runs {@code stores} then {@code vote()}: the contract allows the conflict at either, and the
   * transaction must be aborted afterwards.
   */
  static ConflictException assertConflictByVote(StorageTransaction tx, Executable stores) {
    ConflictException conflict = assertThrows(ConflictException.class, () -> {
      stores.execute();
      tx.vote();
    }, "no conflict by vote()");
    assertAborted(tx);
    return conflict;
  }

  /** A finished transaction refuses store and vote, and abort/close do nothing. */
  static void assertAborted(StorageTransaction tx) {
    assertThrows(IllegalStateException.class,
        () -> tx.store(Oid.of(1), Tid.NONE, bytes("x")), "store on an aborted transaction");
    assertThrows(IllegalStateException.class, tx::vote, "vote on an aborted transaction");
    assertThrows(IllegalStateException.class, tx::commit, "commit on an aborted transaction");
    assertDoesNotThrow(tx::abort, "abort of an aborted transaction");
    assertDoesNotThrow(tx::close, "close of an aborted transaction");
  }

  /** A bad argument: IllegalArgumentException or NullPointerException whose message names it. */
  static void assertBadArgument(String argument, Executable call) {
    RuntimeException e = assertThrows(RuntimeException.class, call, "bad " + argument + " accepted");
    assertTrue(e instanceof IllegalArgumentException || e instanceof NullPointerException,
        "bad " + argument + " raised " + e + ", expected IllegalArgumentException or NPE");
    assertNotNull(e.getMessage(), "no message for bad " + argument);
    assertTrue(e.getMessage().contains(argument),
        "message for bad " + argument + " does not name it: " + e.getMessage());
  }

  static ExecutorService workers() {
    return Executors.newThreadPerTaskExecutor(WORKER_THREADS);
  }

  static ExecutorService spinningReaders() {
    return Executors.newThreadPerTaskExecutor(SPINNING_READER_THREADS);
  }

  /** Waits for every future; rethrows the first failure (an assertion error stays one). */
  static <T> List<T> joinAll(List<Future<T>> futures) throws InterruptedException {
    List<T> results = new ArrayList<>();
    for (Future<T> future : futures) {
      results.add(join(future));
    }
    return results;
  }

  static <T> T join(Future<T> future) throws InterruptedException {
    try {
      return future.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AssertionError assertion) {
        throw assertion;
      }
      throw new AssertionError("worker failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("worker did not finish within " + PATIENCE, e);
    }
  }

  static Tid later(Tid tid, long micros) {
    return Tid.of(tid.value() + micros);
  }

  // ---------------------------------------------------------------- the contract

  @Nested
  class ReadsAndWrites {

    @Test
    void emptyStorageHasNoTransactionsAndNoObjects() {
      assertEquals(Tid.NONE, storage.lastTransaction());
      assertEquals(new StorageStats(0, 0, 0), storage.stats());
      assertEquals(List.of(), transactionsOf(storage, Tid.NONE));
      assertNotFound(storage, Oid.ROOT);
    }

    @Test
    void storedObjectLoadsBackWithCommitTidAsSerial() {
      Oid oid = storage.newOid();
      Tid tid = write(oid, "hello");
      Revision revision = storage.load(oid);
      assertEquals(oid, revision.oid());
      assertEquals(tid, revision.serial());
      assertEquals("hello", text(revision));
      assertEquals(revision, storage.loadSerial(oid, tid));
    }

    @Test
    void loadOfUnknownOidIsNotFound() {
      write(storage.newOid(), "other");
      assertNotFound(storage, storage.newOid());
      assertNotFound(storage, Oid.of(Long.MAX_VALUE));
    }

    @Test
    void everyByteValueAndEmptyDataRoundTrip() {
      byte[] all = new byte[256];
      for (int i = 0; i < all.length; i++) {
        all[i] = (byte) i;
      }
      Oid full = storage.newOid();
      Oid empty = storage.newOid();
      commit(storage, META, Map.of(full, all, empty, new byte[0]));
      assertArrayEquals(all, storage.load(full).data());
      assertArrayEquals(new byte[0], storage.load(empty).data());
    }

    @Test
    void largeObjectRoundTrips() {
      byte[] large = new byte[Math.min(1024 * 1024 + 7, storage.limits().maxRecordSize())];
      for (int i = 0; i < large.length; i++) {
        large[i] = (byte) (i * 31 + (i >>> 11));
      }
      Oid oid = storage.newOid();
      commit(storage, META, Map.of(oid, large));
      assertArrayEquals(large, storage.load(oid).data());
    }

    @Test
    void rootOidCanBeStoredExplicitly() {
      write(Oid.ROOT, "root");
      assertEquals("root", text(storage.load(Oid.ROOT)));
    }

    @Test
    void storeCopiesTheCallersArray() {
      Oid oid = storage.newOid();
      byte[] data = bytes("original");
      try (StorageTransaction tx = storage.begin(META)) {
        tx.store(oid, Tid.NONE, data);
        data[0] = 'X';
        tx.vote();
        tx.commit();
      }
      assertEquals("original", text(storage.load(oid)));
    }

    @Test
    void storingAnObjectTwiceInOneTransactionKeepsTheLaterData() {
      Oid oid = storage.newOid();
      Tid tid;
      try (StorageTransaction tx = storage.begin(META)) {
        tx.store(oid, Tid.NONE, bytes("first"));
        tx.store(oid, Tid.NONE, bytes("second"));
        tx.vote();
        tid = tx.commit();
      }
      assertEquals("second", text(storage.load(oid)));
      List<TransactionRecord> records = transactionsOf(storage, Tid.NONE);
      assertEquals(1, records.size());
      assertEquals(List.of(new DataRecord(oid, bytes("second"))), records.get(0).records());
      assertEquals(tid, records.get(0).tid());
    }

    @Test
    void transactionThatStoresNothingStillCommits() {
      Tid tid;
      try (StorageTransaction tx = storage.begin(META)) {
        tx.vote();
        tid = tx.commit();
      }
      assertEquals(tid, storage.lastTransaction());
      assertEquals(List.of(new TransactionRecord(tid, META, List.of())),
          transactionsOf(storage, Tid.NONE));
    }

    @Test
    void loadSerialReturnsEachRevision() {
      Oid oid = storage.newOid();
      Tid t1 = write(oid, "v1");
      Tid t2 = write(oid, "v2");
      Tid t3 = write(oid, "v3");
      assertEquals("v1", text(storage.loadSerial(oid, t1)));
      assertEquals("v2", text(storage.loadSerial(oid, t2)));
      assertEquals("v3", text(storage.loadSerial(oid, t3)));
      assertEquals(t2, storage.loadSerial(oid, t2).serial());
      assertEquals("v3", text(storage.load(oid)));
    }

    @Test
    void loadSerialOfAMissingRevisionIsNotFound() {
      Oid oid = storage.newOid();
      Oid other = storage.newOid();
      Tid t1 = write(oid, "v1");
      Tid t2 = write(other, "other");
      ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class,
          () -> storage.loadSerial(oid, t2), "serial of a transaction that did not write it");
      assertEquals(oid, e.oid());
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(oid, t1.next()),
          "serial that is no transaction");
      assertThrows(ObjectNotFoundException.class,
          () -> storage.loadSerial(oid, later(t2, 1_000_000)), "serial in the future");
      Oid unknown = storage.newOid();
      assertEquals(unknown,
          assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(unknown, t1)).oid());
    }

    @Test
    void loadBeforeReturnsTheRevisionCurrentJustBeforeTheTid() {
      Oid oid = storage.newOid();
      Oid other = storage.newOid();
      Tid t1 = write(oid, "v1");
      Tid t2 = write(oid, "v2");
      Tid t3 = write(other, "unrelated");
      Tid t4 = write(oid, "v4");
      assertEquals(Optional.empty(), storage.loadBefore(oid, t1), "before the first revision");
      assertEquals(Optional.empty(), storage.loadBefore(oid, Tid.of(1)), "at the dawn of time");
      assertEquals(storage.loadSerial(oid, t1), storage.loadBefore(oid, t2).orElseThrow());
      assertEquals(storage.loadSerial(oid, t1), storage.loadBefore(oid, t1.next()).orElseThrow());
      assertEquals(storage.loadSerial(oid, t2), storage.loadBefore(oid, t3).orElseThrow());
      assertEquals(storage.loadSerial(oid, t2), storage.loadBefore(oid, t4).orElseThrow());
      assertEquals(storage.loadSerial(oid, t4), storage.loadBefore(oid, t4.next()).orElseThrow());
      assertEquals(storage.load(oid),
          storage.loadBefore(oid, later(t4, 3_600_000_000L)).orElseThrow(), "far future");
    }

    @Test
    void loadBeforeOfUnknownOidIsNotFound() {
      Tid t1 = write(storage.newOid(), "v1");
      Oid unknown = storage.newOid();
      ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class,
          () -> storage.loadBefore(unknown, t1.next()));
      assertEquals(unknown, e.oid());
    }

    @Test
    void returnedDataIsACopy() {
      Oid oid = storage.newOid();
      Tid tid = write(oid, "stable");
      storage.load(oid).data()[0] = 'X';
      storage.loadSerial(oid, tid).data()[0] = 'X';
      storage.loadBefore(oid, tid.next()).orElseThrow().data()[0] = 'X';
      assertEquals("stable", text(storage.load(oid)));
    }
  }

  @Nested
  class Conflicts {

    @Test
    void staleSerialConflictsAndNothingOfTheTransactionIsVisible() {
      Oid a = storage.newOid();
      Tid t1 = write(a, "a1");
      Tid t2 = write(a, "a2");
      Oid fresh = storage.newOid();
      Snapshot before = Snapshot.of(storage);
      StorageTransaction tx = storage.begin(META);
      ConflictException conflict = assertConflictByVote(tx, () -> {
        tx.store(fresh, Tid.NONE, bytes("fresh"));
        tx.store(a, t1, bytes("a3 from a stale read"));
      });
      assertEquals(a, conflict.oid());
      assertEquals(t1, conflict.expectedSerial());
      assertEquals(t2, conflict.actualSerial());
      assertUnchanged(before, "a conflicting transaction");
      assertNotFound(storage, fresh);
      assertEquals("a2", text(storage.load(a)));
    }

    @Test
    void newObjectStoredWithARealSerialConflicts() {
      Tid t1 = write(storage.newOid(), "something");
      Oid fresh = storage.newOid();
      Snapshot before = Snapshot.of(storage);
      StorageTransaction tx = storage.begin(META);
      ConflictException conflict =
          assertConflictByVote(tx, () -> tx.store(fresh, t1, bytes("never")));
      assertEquals(fresh, conflict.oid());
      assertEquals(t1, conflict.expectedSerial());
      assertEquals(Tid.NONE, conflict.actualSerial());
      assertUnchanged(before, "a conflicting transaction");
    }

    @Test
    void existingObjectStoredAsNewConflicts() {
      Oid a = storage.newOid();
      Tid t1 = write(a, "a1");
      Snapshot before = Snapshot.of(storage);
      StorageTransaction tx = storage.begin(META);
      ConflictException conflict =
          assertConflictByVote(tx, () -> tx.store(a, Tid.NONE, bytes("again")));
      assertEquals(a, conflict.oid());
      assertEquals(Tid.NONE, conflict.expectedSerial());
      assertEquals(t1, conflict.actualSerial());
      assertUnchanged(before, "a conflicting transaction");
    }

    @Test
    void conflictFromATransactionCommittedAfterTheStoreIsCaughtAtVote() {
      Oid a = storage.newOid();
      Oid b = storage.newOid();
      Tid t1 = write(a, "a1");
      StorageTransaction slow = storage.begin(META);
      slow.store(b, Tid.NONE, bytes("b"));
      slow.store(a, t1, bytes("slow"));
      Tid t2 = write(a, "fast");
      Snapshot before = Snapshot.of(storage);
      ConflictException conflict = assertThrows(ConflictException.class, slow::vote);
      assertEquals(a, conflict.oid());
      assertEquals(t1, conflict.expectedSerial());
      assertEquals(t2, conflict.actualSerial());
      assertAborted(slow);
      assertUnchanged(before, "a transaction that conflicted at vote");
      assertNotFound(storage, b);
      assertEquals("fast", text(storage.load(a)));
    }

    @Test
    void conflictingTransactionReleasesTheCommitLock() {
      Oid a = storage.newOid();
      Tid t1 = write(a, "a1");
      write(a, "a2");
      StorageTransaction tx = storage.begin(META);
      assertConflictByVote(tx, () -> tx.store(a, t1, bytes("stale")));
      Tid t3 = write(a, "a3");
      assertEquals(t3, storage.lastTransaction());
    }

    @Test
    void writerWithTheCurrentSerialSucceeds() {
      Oid a = storage.newOid();
      write(a, "a1");
      Tid t2 = write(a, "a2");
      try (StorageTransaction tx = storage.begin(META)) {
        tx.store(a, t2, bytes("a3"));
        tx.vote();
        Tid t3 = tx.commit();
        assertEquals(t3, storage.load(a).serial());
      }
    }
  }

  @Nested
  class Tids {

    @Test
    void commitReturnsTheTidThatIsThenLastTransactionAndTheSerial() {
      Oid oid = storage.newOid();
      Tid tid = write(oid, "x");
      assertFalse(tid.isNone());
      assertEquals(tid, storage.lastTransaction());
      assertEquals(tid, storage.load(oid).serial());
    }

    @Test
    void tidsIncreaseStrictlyAcrossCommits() {
      Oid oid = storage.newOid();
      Tid previous = Tid.NONE;
      List<Tid> tids = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        Tid tid = write(oid, "v" + i);
        assertTrue(tid.isAfter(previous), tid + " not after " + previous);
        previous = tid;
        tids.add(tid);
      }
      assertEquals(tids, tidsOf(transactionsOf(storage, Tid.NONE)));
    }

    @Test
    void callerChosenTidIsUsedExactly() {
      Tid last = write(storage.newOid(), "first");
      Tid chosen = later(last, 5_000);
      Oid oid = storage.newOid();
      try (StorageTransaction tx = storage.begin(META, chosen)) {
        tx.store(oid, Tid.NONE, bytes("chosen"));
        tx.vote();
        assertEquals(chosen, tx.commit());
      }
      assertEquals(chosen, storage.lastTransaction());
      assertEquals(chosen, storage.load(oid).serial());
    }

    @Test
    void storageChosenTidFollowsAFutureCallerChosenTid() {
      Tid last = write(storage.newOid(), "first");
      Tid future = later(last, 3_600_000_000L);
      try (StorageTransaction tx = storage.begin(META, future)) {
        tx.vote();
        assertEquals(future, tx.commit());
      }
      Tid next = write(storage.newOid(), "after the future");
      assertTrue(next.isAfter(future), next + " not after " + future);
    }

    @Test
    void beginWithATidNotAfterTheLastIsRefused() {
      Tid last = write(storage.newOid(), "x");
      Snapshot before = Snapshot.of(storage);
      StaleTidException equal =
          assertThrows(StaleTidException.class, () -> storage.begin(META, last));
      assertEquals(last, equal.tid());
      assertEquals(last, equal.lastTransaction());
      Tid older = Tid.of(last.value() - 1);
      StaleTidException lower =
          assertThrows(StaleTidException.class, () -> storage.begin(META, older));
      assertEquals(older, lower.tid());
      assertEquals(last, lower.lastTransaction());
      assertUnchanged(before, "a refused begin");
    }

    @Test
    void beginWithTidNoneIsRefused() {
      assertBadArgument("tid", () -> storage.begin(META, Tid.NONE));
    }

    @Test
    void voteRefusesATidOvertakenByAnotherCommit() {
      Tid last = write(storage.newOid(), "x");
      Oid oid = storage.newOid();
      StorageTransaction overtaken = storage.begin(META, later(last, 100));
      overtaken.store(oid, Tid.NONE, bytes("overtaken"));
      try (StorageTransaction tx = storage.begin(META, later(last, 200))) {
        tx.vote();
        tx.commit();
      }
      Snapshot before = Snapshot.of(storage);
      StaleTidException e = assertThrows(StaleTidException.class, overtaken::vote);
      assertEquals(later(last, 100), e.tid());
      assertAborted(overtaken);
      assertUnchanged(before, "a vote with an overtaken tid");
      assertNotFound(storage, oid);
    }
  }

  @Nested
  class TransactionLifecycle {

    @Test
    void abortLeavesNoTrace() {
      Oid existing = storage.newOid();
      Tid t1 = write(existing, "kept");
      Oid fresh = storage.newOid();
      Snapshot before = Snapshot.of(storage);
      StorageTransaction tx = storage.begin(META);
      tx.store(existing, t1, bytes("dropped"));
      tx.store(fresh, Tid.NONE, bytes("dropped"));
      tx.abort();
      assertUnchanged(before, "an aborted transaction");
      assertNotFound(storage, fresh);
      assertEquals("kept", text(storage.load(existing)));
    }

    @Test
    void abortAfterVoteLeavesNoTraceAndFreesTheCommitLock() {
      Oid fresh = storage.newOid();
      Snapshot before = Snapshot.of(storage);
      StorageTransaction tx = storage.begin(META);
      tx.store(fresh, Tid.NONE, bytes("dropped"));
      tx.vote();
      tx.abort();
      assertUnchanged(before, "a transaction aborted after vote");
      assertNotFound(storage, fresh);
      Tid tid = write(storage.newOid(), "next");
      assertEquals(tid, storage.lastTransaction());
    }

    @Test
    void closeWithoutCommitLeavesNoTrace() {
      Oid active = storage.newOid();
      Oid voted = storage.newOid();
      Snapshot before = Snapshot.of(storage);
      try (StorageTransaction tx = storage.begin(META)) {
        tx.store(active, Tid.NONE, bytes("dropped"));
      }
      try (StorageTransaction tx = storage.begin(META)) {
        tx.store(voted, Tid.NONE, bytes("dropped"));
        tx.vote();
      }
      assertUnchanged(before, "transactions closed without commit");
      assertNotFound(storage, active);
      assertNotFound(storage, voted);
      write(storage.newOid(), "the commit lock is free");
    }

    @Test
    void storeAfterVoteIsRefusedAndChangesNothing() {
      Oid oid = storage.newOid();
      Oid late = storage.newOid();
      try (StorageTransaction tx = storage.begin(META)) {
        tx.store(oid, Tid.NONE, bytes("voted"));
        tx.vote();
        assertThrows(IllegalStateException.class, () -> tx.store(late, Tid.NONE, bytes("late")));
        assertThrows(IllegalStateException.class, () -> tx.store(oid, Tid.NONE, bytes("late")));
        tx.commit();
      }
      assertEquals("voted", text(storage.load(oid)));
      assertNotFound(storage, late);
    }

    @Test
    void voteTwiceIsRefused() {
      try (StorageTransaction tx = storage.begin(META)) {
        tx.store(storage.newOid(), Tid.NONE, bytes("x"));
        tx.vote();
        assertThrows(IllegalStateException.class, tx::vote);
        tx.commit();
      }
      assertEquals(1, storage.stats().transactions());
    }

    @Test
    void commitBeforeVoteIsRefused() {
      Oid oid = storage.newOid();
      try (StorageTransaction tx = storage.begin(META)) {
        tx.store(oid, Tid.NONE, bytes("x"));
        assertThrows(IllegalStateException.class, tx::commit);
        assertEquals(Tid.NONE, storage.lastTransaction());
        tx.vote();
        tx.commit();
      }
      assertEquals("x", text(storage.load(oid)));
    }

    @Test
    void commitTwiceIsRefused() {
      try (StorageTransaction tx = storage.begin(META)) {
        tx.vote();
        Tid tid = tx.commit();
        assertThrows(IllegalStateException.class, tx::commit);
        assertEquals(tid, storage.lastTransaction());
      }
      assertEquals(1, storage.stats().transactions());
    }

    @Test
    void everyCallAfterCommitIsRefusedButClose() {
      StorageTransaction tx = storage.begin(META);
      tx.vote();
      tx.commit();
      assertThrows(IllegalStateException.class, () -> tx.store(Oid.of(1), Tid.NONE, bytes("x")));
      assertThrows(IllegalStateException.class, tx::vote);
      assertThrows(IllegalStateException.class, tx::abort);
      assertDoesNotThrow(tx::close);
      assertDoesNotThrow(tx::close);
      assertEquals(1, storage.stats().transactions());
    }

    @Test
    void everyCallAfterAbortIsRefusedButAbortAndClose() {
      StorageTransaction tx = storage.begin(META);
      tx.abort();
      assertAborted(tx);
      assertDoesNotThrow(tx::abort);
      assertEquals(Tid.NONE, storage.lastTransaction());
    }

    @Test
    void voteOnOneThreadAndCommitOnAnother() throws Exception {
      Oid oid = storage.newOid();
      StorageTransaction tx = storage.begin(META);
      tx.store(oid, Tid.NONE, bytes("handed over"));
      try (ExecutorService workers = workers()) {
        join(workers.submit(() -> {
          tx.vote();
          return null;
        }));
        Tid tid = join(workers.submit(tx::commit));
        assertEquals(tid, storage.lastTransaction());
        assertEquals(tid, storage.load(oid).serial());
      }
      write(storage.newOid(), "the commit lock was released by the other thread");
    }

    @Test
    void secondVoteWaitsUntilTheFirstTransactionCommits() throws Exception {
      Oid first = storage.newOid();
      Oid second = storage.newOid();
      StorageTransaction tx1 = storage.begin(META);
      StorageTransaction tx2 = storage.begin(META);
      tx1.store(first, Tid.NONE, bytes("first"));
      tx2.store(second, Tid.NONE, bytes("second"));
      tx1.vote();
      try (ExecutorService workers = workers()) {
        Future<?> vote2 = workers.submit(() -> {
          tx2.vote();
          return null;
        });
        await().during(Duration.ofMillis(300)).atMost(PATIENCE).until(() -> !vote2.isDone());
        Tid t1 = tx1.commit();
        join(vote2);
        Tid t2 = tx2.commit();
        assertTrue(t2.isAfter(t1), t2 + " not after " + t1);
        assertEquals(List.of(t1, t2), tidsOf(transactionsOf(storage, Tid.NONE)));
      }
    }

    @Test
    void secondVoteProceedsWhenTheFirstTransactionAborts() throws Exception {
      Oid oid = storage.newOid();
      StorageTransaction tx1 = storage.begin(META);
      StorageTransaction tx2 = storage.begin(META);
      tx1.store(oid, Tid.NONE, bytes("aborted"));
      tx2.store(oid, Tid.NONE, bytes("committed"));
      tx1.vote();
      try (ExecutorService workers = workers()) {
        Future<?> vote2 = workers.submit(() -> {
          tx2.vote();
          return null;
        });
        await().during(Duration.ofMillis(200)).atMost(PATIENCE).until(() -> !vote2.isDone());
        tx1.abort();
        join(vote2);
        tx2.commit();
      }
      assertEquals("committed", text(storage.load(oid)));
    }
  }

  @Nested
  class History {

    @Test
    void transactionsOfAnEmptyStorageIsEmpty() {
      try (TransactionIterator it = storage.transactions(Tid.NONE)) {
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
      }
    }

    @Test
    void transactionsReturnsExactlyTheCommittedOnesInOrderWithMetaAndData() {
      Oid a = storage.newOid();
      Oid b = storage.newOid();
      List<TransactionRecord> expected = new ArrayList<>();
      TransactionMeta[] metas = {
          new TransactionMeta("alice", "create b then a", Map.of("app", "shop", "ünï", "☃")),
          new TransactionMeta("", "", Map.of()),
          new TransactionMeta("bob", "line one\nline two", Map.of("k", "")),
          TransactionMeta.of("carol", "last"),
      };
      for (int i = 0; i < metas.length; i++) {
        Map<Oid, byte[]> writes = new LinkedHashMap<>();
        writes.put(b, bytes("b" + i));
        if (i != 1) {
          writes.put(a, bytes("a" + i));
        }
        Tid tid = commit(storage, metas[i], writes);
        List<DataRecord> records = new ArrayList<>();
        writes.forEach((oid, data) -> records.add(new DataRecord(oid, data)));
        expected.add(new TransactionRecord(tid, metas[i], records));
      }
      StorageTransaction conflicting = storage.begin(META);
      assertConflictByVote(conflicting, () -> conflicting.store(a, Tid.NONE, bytes("conflict")));
      StorageTransaction aborted = storage.begin(META);
      aborted.store(storage.newOid(), Tid.NONE, bytes("aborted"));
      aborted.vote();
      aborted.abort();
      assertEquals(expected, transactionsOf(storage, Tid.NONE));
    }

    @Test
    void transactionsAfterATidStartsAfterIt() {
      Oid oid = storage.newOid();
      Tid base = write(oid, "v0");
      List<Tid> tids = new ArrayList<>();
      tids.add(base);
      for (int i = 1; i <= 4; i++) {
        Tid chosen = later(base, i * 10L);
        try (StorageTransaction tx = storage.begin(META, chosen)) {
          tx.store(oid, storage.load(oid).serial(), bytes("v" + i));
          tx.vote();
          tids.add(tx.commit());
        }
      }
      assertEquals(tids, tidsOf(transactionsOf(storage, Tid.NONE)));
      assertEquals(tids.subList(2, 5), tidsOf(transactionsOf(storage, tids.get(1))));
      assertEquals(tids.subList(2, 5), tidsOf(transactionsOf(storage, later(tids.get(1), 5))));
      assertEquals(tids.subList(4, 5), tidsOf(transactionsOf(storage, tids.get(3))));
      assertEquals(List.of(), transactionsOf(storage, tids.get(4)));
      assertEquals(List.of(), transactionsOf(storage, later(tids.get(4), 1_000_000)));
      assertEquals(tids, tidsOf(transactionsOf(storage, Tid.of(1))));
      assertEquals(List.of(new DataRecord(oid, bytes("v3"))),
          transactionsOf(storage, tids.get(2)).get(0).records());
    }

    @Test
    void iteratorSeesEverythingCommittedBeforeItWasCreated() {
      Oid oid = storage.newOid();
      List<Tid> before = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        before.add(write(oid, "v" + i));
      }
      List<Tid> seen = new ArrayList<>();
      Tid after;
      try (TransactionIterator it = storage.transactions(Tid.NONE)) {
        after = write(oid, "committed while iterating");
        it.forEachRemaining(record -> seen.add(record.tid()));
      }
      assertTrue(seen.equals(before) || seen.equals(List.of(before.get(0), before.get(1),
          before.get(2), after)), "iterator saw " + seen);
    }

    @Test
    void openIteratorDoesNotBlockCommitsAndCloseIsIdempotent() {
      Oid oid = storage.newOid();
      write(oid, "v1");
      write(oid, "v2");
      TransactionIterator it = storage.transactions(Tid.NONE);
      assertTrue(it.hasNext());
      assertTrue(it.hasNext(), "hasNext must not consume");
      it.next();
      Tid t3 = write(oid, "v3");
      it.close();
      it.close();
      assertEquals(t3, storage.lastTransaction());
      assertEquals(3, transactionsOf(storage, Tid.NONE).size());
    }

    @Test
    void restoreAppendsTheRecordVerbatimWithItsTid() {
      Oid existing = storage.newOid();
      Tid t1 = write(existing, "before");
      Oid fresh = storage.newOid();
      Tid tid = later(t1, 777);
      TransactionMeta meta = new TransactionMeta("recovery", "copied", Map.of("from", "a"));
      TransactionRecord record = new TransactionRecord(tid, meta, List.of(
          new DataRecord(fresh, bytes("restored fresh")),
          new DataRecord(existing, bytes("restored over"))));
      storage.restore(record);
      assertEquals(tid, storage.lastTransaction());
      assertEquals(List.of(record), transactionsOf(storage, t1));
      assertEquals(tid, storage.load(existing).serial());
      assertEquals("restored over", text(storage.load(existing)));
      assertEquals("restored fresh", text(storage.loadSerial(fresh, tid)));
      assertEquals("before", text(storage.loadBefore(existing, tid).orElseThrow()));
      Tid next = write(existing, "after");
      assertTrue(next.isAfter(tid));
    }

    @Test
    void restoreRefusesATidNotAfterTheLast() {
      Oid oid = storage.newOid();
      Tid t1 = write(oid, "v1");
      Tid t2 = write(oid, "v2");
      Snapshot before = Snapshot.of(storage);
      for (Tid stale : List.of(t2, t1, Tid.of(t2.value() - 1))) {
        TransactionRecord record = new TransactionRecord(stale, META,
            List.of(new DataRecord(storage.newOid(), bytes("stale"))));
        StaleTidException e =
            assertThrows(StaleTidException.class, () -> storage.restore(record), stale.toString());
        assertEquals(stale, e.tid());
        assertEquals(t2, e.lastTransaction());
      }
      assertUnchanged(before, "a refused restore");
    }

    @Test
    void restoreCopiesAWholeHistoryBetweenStorages() {
      Oid a = storage.newOid();
      Oid b = storage.newOid();
      write(a, "a1", b, "b1");
      write(a, "a2");
      commit(storage, TransactionMeta.of("x", "y"), Map.of());
      write(b, "b3", a, "a3");
      Storage copy = open();
      for (TransactionRecord record : transactionsOf(storage, Tid.NONE)) {
        copy.restore(record);
      }
      assertEquals(Snapshot.of(storage), Snapshot.of(copy));
      assertEquals(storage.load(a), copy.load(a));
      assertEquals(storage.load(b), copy.load(b));
      Tid firstTid = transactionsOf(storage, Tid.NONE).get(0).tid();
      assertEquals(storage.loadSerial(a, firstTid), copy.loadSerial(a, firstTid));
      assertTrue(copy.newOid().compareTo(b) > 0, "copy's newOid not above restored oids");
    }

    @Test
    void restoreIsNotConflictChecked() {
      Oid oid = storage.newOid();
      Tid t1 = write(oid, "v1");
      TransactionRecord record = new TransactionRecord(later(t1, 10), META,
          List.of(new DataRecord(oid, bytes("restored"))));
      storage.restore(record);
      assertEquals("restored", text(storage.load(oid)));
    }
  }

  @Nested
  class Oids {

    @Test
    void newOidNeverRepeatsNeverReturnsRootAndIncreases() {
      Set<Oid> seen = new HashSet<>();
      Oid previous = Oid.ROOT;
      for (int i = 0; i < 2_000; i++) {
        Oid oid = storage.newOid();
        assertNotEquals(Oid.ROOT, oid);
        assertTrue(oid.compareTo(previous) > 0, oid + " not above " + previous);
        assertTrue(seen.add(oid), "repeated " + oid);
        previous = oid;
      }
    }

    @Test
    void newOidIsAboveAnExplicitlyStoredOid() {
      Oid high = Oid.of(storage.newOid().value() + 1_000_000);
      write(high, "high");
      Oid next = storage.newOid();
      assertTrue(next.compareTo(high) > 0, next + " not above stored " + high);
    }

    @Test
    void newOidIsAboveARestoredOid() {
      Oid high = Oid.of(storage.newOid().value() + 5_000);
      storage.restore(new TransactionRecord(Tid.of(1_000), META,
          List.of(new DataRecord(high, bytes("restored")))));
      assertTrue(storage.newOid().compareTo(high) > 0);
    }

    @Test
    void reserveOidsMovesTheCounterForwardButNeverBack() {
      Oid first = storage.newOid();
      Oid through = Oid.of(first.value() + 500);
      storage.reserveOids(through);
      Oid next = storage.newOid();
      assertTrue(next.compareTo(through) > 0, next + " not above reserved " + through);
      storage.reserveOids(first);
      storage.reserveOids(Oid.ROOT);
      Oid after = storage.newOid();
      assertTrue(after.compareTo(next) > 0, "reserveOids moved the counter back: " + after);
      storage.reserveOids(after);
      assertTrue(storage.newOid().compareTo(after) > 0);
    }

    @Test
    void concurrentNewOidsAreAllDistinct() throws Exception {
      int threads = 8;
      int each = 250;
      List<Future<List<Oid>>> futures = new ArrayList<>();
      try (ExecutorService workers = workers()) {
        for (int t = 0; t < threads; t++) {
          futures.add(workers.submit(() -> {
            List<Oid> mine = new ArrayList<>();
            for (int i = 0; i < each; i++) {
              mine.add(storage.newOid());
            }
            return mine;
          }));
        }
        Set<Oid> all = new HashSet<>();
        for (List<Oid> mine : joinAll(futures)) {
          all.addAll(mine);
        }
        assertEquals(threads * each, all.size(), "some oids were handed out twice");
        assertFalse(all.contains(Oid.ROOT));
      }
    }
  }

  @Nested
  class Packing {

    private Oid a;
    private Oid b;
    private Oid c;
    private Oid d;
    private Tid t1;
    private Tid t2;
    private Tid t3;
    private Tid t4;

    /** a: t1 t2 t3; b: t1 t4; c: t1 t2; d: t1. */
    @BeforeEach
    void writeHistory() {
      a = storage.newOid();
      b = storage.newOid();
      c = storage.newOid();
      d = storage.newOid();
      Map<Oid, byte[]> first = new LinkedHashMap<>();
      first.put(a, bytes("a1"));
      first.put(b, bytes("b1-long"));
      first.put(c, bytes("c1-longer"));
      first.put(d, bytes("d1"));
      t1 = commit(storage, META, first);
      t2 = write(a, "a2", c, "c2");
      t3 = write(a, "a3");
      t4 = write(b, "b4");
    }

    private Map<String, Object> readsFrom(Tid from) {
      Map<String, Object> reads = new LinkedHashMap<>();
      for (Oid oid : List.of(a, b, c, d)) {
        reads.put("load " + oid, storage.load(oid));
        for (Tid tid : List.of(t1, t2, t3, t4)) {
          if (!tid.isBefore(from)) {
            reads.put("loadBefore " + oid + " " + tid, storage.loadBefore(oid, tid));
            reads.put("loadBefore " + oid + " " + tid.next(), storage.loadBefore(oid, tid.next()));
          }
        }
      }
      return reads;
    }

    @Test
    void packKeepsCurrentRevisionsAndEverythingNeededFromThePackTid() {
      Map<String, Object> before = readsFrom(t3);
      storage.pack(t3);
      assertEquals(before, readsFrom(t3));
      assertEquals("a2", text(storage.loadSerial(a, t2)));
      assertEquals("c2", text(storage.loadSerial(c, t2)));
      assertEquals("b1-long", text(storage.loadSerial(b, t1)));
      assertEquals("d1", text(storage.loadSerial(d, t1)));
    }

    @Test
    void packDropsOlderRevisions() {
      storage.pack(t3);
      assertEquals(a, assertThrows(ObjectNotFoundException.class,
          () -> storage.loadSerial(a, t1)).oid());
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(c, t1));
    }

    @Test
    void packKeepsTransactionsAndRemovesOnlyDroppedRecords() {
      List<TransactionRecord> before = transactionsOf(storage, Tid.NONE);
      storage.pack(t3);
      List<TransactionRecord> after = transactionsOf(storage, Tid.NONE);
      assertEquals(t4, storage.lastTransaction());
      assertEquals(tidsOf(before), tidsOf(after));
      assertEquals(before.subList(1, 4), after.subList(1, 4));
      assertEquals(before.get(0).meta(), after.get(0).meta());
      assertEquals(List.of(new DataRecord(b, bytes("b1-long")), new DataRecord(d, bytes("d1"))),
          after.get(0).records());
    }

    @Test
    void packUpdatesStatsExactly() {
      StorageStats before = storage.stats();
      assertEquals(new StorageStats(4, 4, 2 + 7 + 9 + 2 + 2 + 2 + 2 + 2), before);
      storage.pack(t3);
      assertEquals(new StorageStats(4, 4, before.bytes() - "a1".length() - "c1-longer".length()),
          storage.stats());
    }

    @Test
    void packKeepsATransactionWhoseRevisionsWereAllDropped() {
      Tid t5 = write(c, "c5");
      storage.pack(t5.next());
      List<TransactionRecord> after = transactionsOf(storage, Tid.NONE);
      assertEquals(List.of(t1, t2, t3, t4, t5), tidsOf(after));
      assertEquals(List.of(new DataRecord(d, bytes("d1"))), after.get(0).records());
      assertEquals(List.of(), after.get(1).records(), "t2 wrote a and c, both rewritten later");
      assertEquals(META, after.get(1).meta());
      assertEquals(t5, storage.lastTransaction());
      assertEquals(5, storage.stats().transactions());
    }

    @Test
    void packTwiceChangesNothingMore() {
      storage.pack(t3);
      Snapshot once = Snapshot.of(storage);
      storage.pack(t3);
      assertUnchanged(once, "a second pack at the same tid");
      storage.pack(t2);
      assertUnchanged(once, "a pack at an earlier tid");
    }

    @Test
    void packAfterTheLastTransactionKeepsOnlyCurrentRevisions() {
      Map<String, Object> current = readsFrom(t4.next());
      storage.pack(t4.next());
      assertEquals(current, readsFrom(t4.next()));
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(a, t2));
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(b, t1));
      assertEquals("b4", text(storage.load(b)));
      assertEquals("d1", text(storage.load(d)));
      assertEquals(4, storage.stats().objects());
    }

    @Test
    void commitsContinueAfterPack() {
      storage.pack(t3);
      Tid t5 = write(a, "a5");
      assertTrue(t5.isAfter(t4));
      assertEquals(List.of(t1, t2, t3, t4, t5), tidsOf(transactionsOf(storage, Tid.NONE)));
      assertEquals("a3", text(storage.loadBefore(a, t5).orElseThrow()));
    }

    @Test
    void packWithTidNoneOrNullIsRefused() {
      Snapshot before = Snapshot.of(storage);
      assertBadArgument("before", () -> storage.pack(Tid.NONE));
      assertBadArgument("before", () -> storage.pack(null));
      assertUnchanged(before, "a refused pack");
    }
  }

  @Nested
  class Stats {

    @Test
    void statsCountObjectsTransactionsAndBytesAsDocumented() {
      assertEquals(new StorageStats(0, 0, 0), storage.stats());
      Oid a = storage.newOid();
      Oid b = storage.newOid();
      write(a, "abc", b, "12345");
      assertEquals(new StorageStats(2, 1, 8), storage.stats());
      write(a, "abcd");
      assertEquals(new StorageStats(2, 2, 12), storage.stats(), "old revisions still count");

      StorageTransaction aborted = storage.begin(META);
      aborted.store(storage.newOid(), Tid.NONE, bytes("aborted"));
      aborted.abort();
      assertEquals(new StorageStats(2, 2, 12), storage.stats(), "aborted transaction counted");

      commit(storage, META, Map.of());
      assertEquals(new StorageStats(2, 3, 12), storage.stats(), "empty transaction");

      storage.restore(new TransactionRecord(later(storage.lastTransaction(), 10), META,
          List.of(new DataRecord(storage.newOid(), bytes("xy")))));
      assertEquals(new StorageStats(3, 4, 14), storage.stats(), "restored transaction");
    }
  }

  @Nested
  class ArgumentValidation {

    @Test
    void storageMethodsRefuseNullsAndNoneWithoutChangingAnything() {
      Oid oid = storage.newOid();
      Tid t1 = write(oid, "v1");
      Snapshot before = Snapshot.of(storage);
      assertAll(
          () -> assertBadArgument("oid", () -> storage.load(null)),
          () -> assertBadArgument("oid", () -> storage.loadBefore(null, t1)),
          () -> assertBadArgument("tid", () -> storage.loadBefore(oid, null)),
          () -> assertBadArgument("tid", () -> storage.loadBefore(oid, Tid.NONE)),
          () -> assertBadArgument("oid", () -> storage.loadSerial(null, t1)),
          () -> assertBadArgument("serial", () -> storage.loadSerial(oid, null)),
          () -> assertBadArgument("serial", () -> storage.loadSerial(oid, Tid.NONE)),
          () -> assertBadArgument("meta", () -> storage.begin(null)),
          () -> assertBadArgument("meta", () -> storage.begin(null, t1.next())),
          () -> assertBadArgument("tid", () -> storage.begin(META, null)),
          () -> assertBadArgument("tid", () -> storage.begin(META, Tid.NONE)),
          () -> assertBadArgument("after", () -> storage.transactions(null)),
          () -> assertBadArgument("record", () -> storage.restore(null)),
          () -> assertBadArgument("before", () -> storage.pack(null)),
          () -> assertBadArgument("before", () -> storage.pack(Tid.NONE)),
          () -> assertBadArgument("through", () -> storage.reserveOids(null)));
      assertUnchanged(before, "refused arguments");
      assertEquals("v1", text(storage.load(oid)));
    }

    @Test
    void storeRefusesBadArgumentsAndTheTransactionCarriesOn() {
      Oid oid = storage.newOid();
      Snapshot before = Snapshot.of(storage);
      try (StorageTransaction tx = storage.begin(META)) {
        assertAll(
            () -> assertBadArgument("oid", () -> tx.store(null, Tid.NONE, bytes("x"))),
            () -> assertBadArgument("expectedSerial", () -> tx.store(oid, null, bytes("x"))),
            () -> assertBadArgument("data", () -> tx.store(oid, Tid.NONE, null)),
            () -> assertBadArgument("data",
                () -> tx.store(oid, Tid.NONE, new byte[DataRecord.MAX_DATA_LENGTH + 1])));
        assertUnchanged(before, "refused stores");
        tx.store(oid, Tid.NONE, bytes("good"));
        tx.vote();
        tx.commit();
      }
      assertEquals("good", text(storage.load(oid)));
      assertEquals(List.of(new DataRecord(oid, bytes("good"))),
          transactionsOf(storage, Tid.NONE).get(0).records());
    }

    @Test
    void valueTypesRefuseNegativeIds() {
      assertBadArgument("oid", () -> Oid.of(-1));
      assertBadArgument("tid", () -> Tid.of(-1));
    }
  }

  /** The storage's declared limits and the ends of the id spaces: refused up front, never poison. */
  @Nested
  class LimitsAndIdRanges {

    private final TransactionRecord aboveMax = new TransactionRecord(Tid.of(Long.MAX_VALUE), META,
        List.of(new DataRecord(Oid.of(1), bytes("poison"))));

    /** The storage still commits an ordinary transaction, on an object it had before. */
    private void assertStillWrites(Oid oid) {
      Tid tid = write(oid, "after");
      assertEquals("after", text(storage.load(oid)));
      assertEquals(tid, storage.lastTransaction());
    }

    @Test
    void tidsAboveTheRangeAreRefusedAndChangeNothing() {
      Oid oid = storage.newOid();
      write(oid, "v1");
      Snapshot before = Snapshot.of(storage);
      assertAll(
          () -> assertBadArgument("tid", () -> storage.begin(META, Tid.of(Long.MAX_VALUE))),
          () -> assertBadArgument("tid", () -> storage.begin(META, Tid.MAX.next())),
          () -> assertBadArgument("tid", () -> storage.restore(aboveMax)));
      assertUnchanged(before, "refused tids");
      assertStillWrites(oid);
    }

    @Test
    void objectIdsAboveTheRangeAreRefusedAndChangeNothing() {
      Oid oid = storage.newOid();
      write(oid, "v1");
      Snapshot before = Snapshot.of(storage);
      assertBadArgument("through", () -> storage.reserveOids(Oid.of(Long.MAX_VALUE)));
      try (StorageTransaction tx = storage.begin(META)) {
        assertBadArgument("oid", () -> tx.store(Oid.of(Long.MAX_VALUE), Tid.NONE, bytes("x")));
        tx.store(oid, serialOf(storage, oid), bytes("v2"));
        tx.vote();
        tx.commit();
      }
      assertEquals("v2", text(storage.load(oid)));
      Oid next = storage.newOid();
      assertTrue(next.isInRange() && next.value() < 1L << 40,
          "the refused ids moved the counter: newOid() gave " + next);
      assertEquals(before.stats().objects(), storage.stats().objects());
    }

    @Test
    void aStorageAtTheLastTidRefusesWritesButServesReads() {
      Oid oid = storage.newOid();
      Tid first = write(oid, "v1");
      try (StorageTransaction tx = storage.begin(META, Tid.MAX)) {
        tx.store(oid, first, bytes("at the end"));
        tx.vote();
        assertEquals(Tid.MAX, tx.commit());
      }
      assertEquals(Tid.MAX, storage.lastTransaction());
      assertThrows(IdSpaceExhaustedException.class, () -> {
        try (StorageTransaction tx = storage.begin(META)) {
          tx.store(oid, Tid.MAX, bytes("beyond"));
          tx.vote();
          tx.commit();
        }
      });
      assertThrows(StaleTidException.class, () -> storage.begin(META, Tid.MAX));
      assertEquals("at the end", text(storage.load(oid)));
      assertEquals("v1", text(storage.loadBefore(oid, Tid.MAX).orElseThrow()));
      assertEquals("at the end", text(storage.loadSerial(oid, Tid.MAX)));
      assertEquals(List.of(first, Tid.MAX), tidsOf(transactionsOf(storage, Tid.NONE)));
      assertEquals(Tid.MAX, storage.lastTransaction());
    }

    @Test
    void aStorageAtTheLastObjectIdAnswersNewOidAndStillCommits() {
      Oid oid = storage.newOid();
      write(oid, "v1");
      storage.reserveOids(Oid.MAX);
      assertThrows(IdSpaceExhaustedException.class, storage::newOid);
      assertThrows(IdSpaceExhaustedException.class, storage::newOid, "asked twice");
      assertStillWrites(oid);
    }

    @Test
    void aRecordOverTheDeclaredLimitIsRefusedAndTheTransactionCarriesOn() {
      int max = storage.limits().maxRecordSize();
      Oid oid = storage.newOid();
      Snapshot before = Snapshot.of(storage);
      try (StorageTransaction tx = storage.begin(META)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> tx.store(oid, Tid.NONE, new byte[max + 1]));
        assertTrue(e.getMessage().contains(String.valueOf(max)),
            "the refusal does not name the limit " + max + ": " + e.getMessage());
        assertUnchanged(before, "a refused store");
        tx.store(oid, Tid.NONE, new byte[max]);
        tx.vote();
        tx.commit();
      }
      assertEquals(max, storage.load(oid).length());
    }

    @Test
    void aRestoreOverTheDeclaredLimitIsRefusedAndWritesNothing() {
      int max = storage.limits().maxRecordSize();
      assumeTrue(max < DataRecord.MAX_DATA_LENGTH, "records are limited only by DataRecord itself");
      Oid oid = storage.newOid();
      Tid first = write(oid, "v1");
      Snapshot before = Snapshot.of(storage);
      TransactionRecord big = new TransactionRecord(later(first, 10), META,
          List.of(new DataRecord(storage.newOid(), bytes("small")),
              new DataRecord(storage.newOid(), new byte[max + 1])));
      assertThrows(IllegalArgumentException.class, () -> storage.restore(big));
      assertUnchanged(before, "a refused restore");
      assertStillWrites(oid);
    }

    @Test
    void metadataOverTheDeclaredLimitIsRefused() {
      int max = storage.limits().maxMetaSize();
      assumeTrue(max <= 16 * 1024 * 1024, "metadata is not limited below 16 MiB");
      TransactionMeta big = TransactionMeta.of("x".repeat(max + 1), "");
      Oid oid = storage.newOid();
      Tid first = write(oid, "v1");
      Snapshot before = Snapshot.of(storage);
      assertThrows(LimitExceededException.class, () -> {
        try (StorageTransaction tx = storage.begin(big)) {
          tx.store(oid, first, bytes("v2"));
          tx.vote();
          tx.commit();
        }
      });
      assertThrows(LimitExceededException.class, () -> storage.restore(
          new TransactionRecord(later(first, 10), big, List.of())));
      assertUnchanged(before, "refused metadata");
    }

    @Test
    void limitsAreStableAndAnswerAfterClose() {
      StorageLimits limits = storage.limits();
      assertNotNull(limits);
      write(storage.newOid(), "v1");
      assertEquals(limits, storage.limits());
      storage.close();
      assertEquals(limits, storage.limits());
    }
  }

  @Nested
  class Concurrency {

    @Test
    void manyThreadsCommittingDisjointObjectsAllLand() throws Exception {
      int threads = 16;
      int commitsEach = 20;
      List<Future<List<Oid>>> futures = new ArrayList<>();
      try (ExecutorService workers = workers()) {
        for (int t = 0; t < threads; t++) {
          int thread = t;
          futures.add(workers.submit(() -> {
            List<Oid> mine = new ArrayList<>();
            for (int i = 0; i < commitsEach; i++) {
              Oid x = storage.newOid();
              Oid y = storage.newOid();
              write(x, thread + "/" + i + "/x", y, thread + "/" + i + "/y");
              mine.add(x);
              mine.add(y);
            }
            return mine;
          }));
        }
        List<List<Oid>> written = joinAll(futures);
        for (int t = 0; t < threads; t++) {
          for (int i = 0; i < commitsEach; i++) {
            assertEquals(t + "/" + i + "/x", text(storage.load(written.get(t).get(2 * i))));
            assertEquals(t + "/" + i + "/y", text(storage.load(written.get(t).get(2 * i + 1))));
          }
        }
      }
      int commits = threads * commitsEach;
      List<TransactionRecord> all = transactionsOf(storage, Tid.NONE);
      assertEquals(commits, all.size());
      for (int i = 1; i < all.size(); i++) {
        assertTrue(all.get(i).tid().isAfter(all.get(i - 1).tid()), "tids out of order at " + i);
      }
      assertEquals(all.get(commits - 1).tid(), storage.lastTransaction());
      assertEquals(commits * 2L, storage.stats().objects());
      assertEquals(commits, storage.stats().transactions());
    }

    @Test
    void racingWritersOnOneObjectHaveExactlyOneWinnerPerRound() throws Exception {
      int rounds = 12;
      int racers = 8;
      Oid contested = storage.newOid();
      List<Tid> winners = new ArrayList<>();
      try (ExecutorService workers = workers()) {
        for (int round = 0; round < rounds; round++) {
          Tid base = serialOf(storage, contested);
          CyclicBarrier allStored = new CyclicBarrier(racers);
          List<Future<Optional<Tid>>> outcomes = new ArrayList<>();
          for (int r = 0; r < racers; r++) {
            byte[] data = bytes(round + "/" + r);
            outcomes.add(workers.submit(() -> {
              try (StorageTransaction tx = storage.begin(META)) {
                tx.store(contested, base, data);
                allStored.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                tx.vote();
                return Optional.of(tx.commit());
              } catch (ConflictException e) {
                assertEquals(contested, e.oid());
                assertEquals(base, e.expectedSerial());
                return Optional.<Tid>empty();
              }
            }));
          }
          List<Tid> won = joinAll(outcomes).stream().flatMap(Optional::stream).toList();
          assertEquals(1, won.size(), "round " + round + " winners: " + won);
          winners.add(won.get(0));
          assertEquals(won.get(0), storage.load(contested).serial());
        }
      }
      assertEquals(winners, tidsOf(transactionsOf(storage, Tid.NONE)));
      for (Tid winner : winners) {
        assertEquals(winner, storage.loadSerial(contested, winner).serial());
      }
    }

    /** 8 bytes of counter, 8 bytes of oid, repeated: a reader can tell a torn or foreign payload. */
    private static final int PAYLOAD_REPEATS = 4;

    private static byte[] payload(long counter, Oid oid) {
      ByteBuffer buffer = ByteBuffer.allocate(16 * PAYLOAD_REPEATS);
      for (int i = 0; i < PAYLOAD_REPEATS; i++) {
        buffer.putLong(counter).putLong(oid.value());
      }
      return buffer.array();
    }

    private static long counterOf(Revision revision) {
      ByteBuffer buffer = ByteBuffer.wrap(revision.data());
      assertEquals(16 * PAYLOAD_REPEATS, buffer.remaining(), "payload length");
      long counter = buffer.getLong(0);
      for (int i = 0; i < PAYLOAD_REPEATS; i++) {
        assertEquals(counter, buffer.getLong(), "torn payload");
        assertEquals(revision.oid().value(), buffer.getLong(), "payload of another object");
      }
      return counter;
    }

    /**
     * One writer commits transactions that each write the same counter into every object; readers
     * check, while it runs, everything the contract guarantees about a consistent view.
     *
     * <p>The writer (a virtual thread) starts first; readers wait for its first commit, then read
     * in a tight loop until it finishes. The readers are platform threads (see
     * {@link #SPINNING_READER_THREADS}), yield regularly, and stop after a bounded number of
     * checks whatever happens to the writer. The writer commits for a minimum number
     * of transactions and a minimum stress time (not a timing assertion: a fast storage simply
     * gets more commits, a slow durable one no more than the minimum), up to a cap. On a busy
     * machine the writer could still finish before any reader is scheduled, so once, halfway
     * through the minimum, it waits until a reader check has run (or a reader has ended).
     */
    @Test
    void readersDuringCommitsOnlyEverSeeWholeTransactions() throws Exception {
      int objects = 8;
      int minCommits = 200;
      int maxCommits = 5_000;
      long minStressNanos = Duration.ofMillis(300).toNanos();
      int readers = 2;
      long checksCap = 2_000_000;
      long bytesPerCommit = (long) objects * 16 * PAYLOAD_REPEATS;
      List<Oid> oids = new ArrayList<>();
      for (int i = 0; i < objects; i++) {
        oids.add(storage.newOid());
      }
      AtomicBoolean writing = new AtomicBoolean(true);
      CountDownLatch firstCommit = new CountDownLatch(1);
      AtomicLong checks = new AtomicLong();
      AtomicInteger readersEnded = new AtomicInteger();
      int commits;
      try (ExecutorService workers = workers(); ExecutorService readerThreads = spinningReaders()) {
        Future<Integer> writer = workers.submit(() -> {
          long start = System.nanoTime();
          int i = 1;
          try {
            Tid previous = Tid.NONE;
            for (; i <= maxCommits
                && (i <= minCommits || System.nanoTime() - start < minStressNanos); i++) {
              try (StorageTransaction tx = storage.begin(META)) {
                for (Oid oid : oids) {
                  tx.store(oid, previous, payload(i, oid));
                }
                tx.vote();
                previous = tx.commit();
              }
              firstCommit.countDown();
              if (i == minCommits / 2) {
                // A reader that failed has ended: stop waiting, its failure is reported below.
                await().atMost(PATIENCE)
                    .until(() -> checks.get() > 0 || readersEnded.get() > 0);
              }
            }
          } finally {
            writing.set(false);
            firstCommit.countDown();
          }
          return i - 1;
        });
        List<Future<Void>> readerFutures = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
          readerFutures.add(readerThreads.submit(() -> {
            try {
              readWhileWriting(oids, writing, firstCommit, checks, checksCap, bytesPerCommit);
            } finally {
              readersEnded.incrementAndGet();
            }
            return null;
          }));
        }
        try {
          commits = join(writer);
          joinAll(readerFutures);
        } finally {
          writing.set(false);
        }
      }
      System.out.printf("%s: %d commits, %d reader checks during them%n",
          storage.name(), commits, checks.get());
      assertTrue(checks.get() > 0, "no reader check ran while the writer committed");
      assertEquals(new StorageStats(objects, commits, commits * bytesPerCommit), storage.stats());
    }

    /** One reader: checks in a tight loop from the writer's first commit until it finishes. */
    private void readWhileWriting(List<Oid> oids, AtomicBoolean writing, CountDownLatch firstCommit,
        AtomicLong checks, long checksCap, long bytesPerCommit) throws InterruptedException {
      firstCommit.await();
      int objects = oids.size();
      Tid listedUpTo = Tid.NONE;
      for (long n = 0; writing.get() && n < checksCap; n++) {
        // Half the loads go to the object each transaction stores first: between its store
        // and the commit's end lies the widest window for seeing it too early.
        checkLoadIsNeverAheadOfLastTransaction(oids.get(n % 2 == 0 ? 0 : (int) (n % objects)));
        checkStatsAreWhole(objects, bytesPerCommit);
        if (n % 8 == 0) {
          checkSnapshotAtLastTid(oids);
        }
        if (n % 256 == 0) {
          listedUpTo = checkTransactionsAreWhole(objects, listedUpTo);
        }
        if (n % 16 == 15) {
          Thread.yield();
        }
        checks.incrementAndGet();
      }
    }

    /** Every transaction writes every object, so at a fixed tid all of them carry that tid. */
    private void checkSnapshotAtLastTid(List<Oid> oids) {
      Tid last = storage.lastTransaction();
      if (last.isNone()) {
        return;
      }
      long counter = -1;
      for (Oid oid : oids) {
        Revision revision = storage.loadBefore(oid, last.next())
            .orElseThrow(() -> new AssertionError(oid + " missing at " + last));
        assertEquals(last, revision.serial(),
            () -> oid + " at " + last + " shows another transaction");
        long seen = counterOf(revision);
        if (counter == -1) {
          counter = seen;
        }
        long expected = counter;
        assertEquals(expected, seen, () -> "mixed transactions at " + last);
      }
    }

    /** A revision is visible only once its transaction is the last one, and stays visible. */
    private void checkLoadIsNeverAheadOfLastTransaction(Oid oid) {
      Tid lastBefore = storage.lastTransaction();
      Revision revision;
      try {
        revision = storage.load(oid);
      } catch (ObjectNotFoundException e) {
        assertEquals(Tid.NONE, lastBefore, () -> oid + " missing after commit " + lastBefore);
        return;
      }
      Revision seen = revision;
      assertFalse(revision.serial().isBefore(lastBefore),
          () -> "load returned " + seen.serial() + " after " + lastBefore + " had committed");
      counterOf(revision);
      Tid last = storage.lastTransaction();
      assertFalse(revision.serial().isAfter(last),
          () -> "load saw " + seen.serial() + " before it was the last transaction " + last);
    }

    private void checkStatsAreWhole(int objects, long bytesPerCommit) {
      StorageStats stats = storage.stats();
      assertEquals(stats.transactions() * bytesPerCommit, stats.bytes(), () -> "stats " + stats);
      assertEquals(stats.transactions() == 0 ? 0 : objects, stats.objects(), () -> "stats " + stats);
    }

    /** Lists the transactions after {@code after}: each is whole; returns the last tid seen. */
    private Tid checkTransactionsAreWhole(int objects, Tid after) {
      Tid previous = after;
      for (TransactionRecord record : transactionsOf(storage, after)) {
        assertTrue(record.tid().isAfter(previous), "transactions out of order");
        assertEquals(objects, record.records().size(), () -> "partial transaction " + record.tid());
        previous = record.tid();
      }
      return previous;
    }
  }

  @Nested
  class ClosedStorage {

    @Test
    void everyCallButNameAndCloseIsRefused() {
      Oid oid = storage.newOid();
      Tid t1 = write(oid, "v1");
      String name = storage.name();
      storage.close();
      TransactionRecord record = new TransactionRecord(later(t1, 10), META, List.of());
      Map<String, Executable> calls = new LinkedHashMap<>();
      calls.put("lastTransaction", storage::lastTransaction);
      calls.put("newOid", storage::newOid);
      calls.put("reserveOids", () -> storage.reserveOids(Oid.of(100)));
      calls.put("load", () -> storage.load(oid));
      calls.put("loadBefore", () -> storage.loadBefore(oid, t1.next()));
      calls.put("loadSerial", () -> storage.loadSerial(oid, t1));
      calls.put("begin", () -> storage.begin(META));
      calls.put("begin with tid", () -> storage.begin(META, later(t1, 10)));
      calls.put("transactions", () -> storage.transactions(Tid.NONE));
      calls.put("restore", () -> storage.restore(record));
      calls.put("pack", () -> storage.pack(t1));
      calls.put("stats", storage::stats);
      assertAll(calls.entrySet().stream().map(call -> () -> {
        StorageClosedException e = assertThrows(StorageClosedException.class, call.getValue(),
            call.getKey() + " on a closed storage");
        assertNotNull(e.getMessage());
      }));
      assertEquals(name, storage.name());
      assertDoesNotThrow(storage::close);
      assertDoesNotThrow(storage::close);
    }

    @Test
    void closedIsAFailureNotAnAnswer() {
      storage.close();
      RuntimeException e = assertThrows(RuntimeException.class, storage::lastTransaction);
      assertFalse(e instanceof StorageException, "a closed storage must not answer: " + e);
    }

    @Test
    void transactionOpenAtCloseCannotCommit() {
      Oid active = storage.newOid();
      Oid voted = storage.newOid();
      StorageTransaction activeTx = storage.begin(META);
      activeTx.store(active, Tid.NONE, bytes("active"));
      StorageTransaction votedTx = storage.begin(META);
      votedTx.store(voted, Tid.NONE, bytes("voted"));
      votedTx.vote();
      storage.close();
      assertThrows(IllegalStateException.class,
          () -> activeTx.store(Oid.of(active.value() + 1_000), Tid.NONE, bytes("more")));
      assertThrows(IllegalStateException.class, activeTx::vote);
      assertThrows(IllegalStateException.class, activeTx::commit);
      assertThrows(IllegalStateException.class, votedTx::commit);
      assertDoesNotThrow(activeTx::close);
      assertDoesNotThrow(votedTx::close);
      if (isDurable()) {
        reopenStorage();
        assertEquals(Tid.NONE, storage.lastTransaction());
        assertNotFound(storage, active);
        assertNotFound(storage, voted);
      }
    }
  }

  @Nested
  class Durability {

    @Test
    void committedHistorySurvivesReopen() {
      requireDurable();
      Oid a = storage.newOid();
      Oid b = storage.newOid();
      Tid t1 = write(a, "a1", b, "b1");
      Tid t2 = write(a, "a2");
      commit(storage, new TransactionMeta("u", "d", Map.of("k", "v")), Map.of());
      Snapshot before = Snapshot.of(storage);
      reopenStorage();
      assertEquals(before, Snapshot.of(storage));
      assertEquals("a2", text(storage.load(a)));
      assertEquals(t2, storage.load(a).serial());
      assertEquals("a1", text(storage.loadSerial(a, t1)));
      assertEquals("a1", text(storage.loadBefore(a, t2).orElseThrow()));
      assertEquals("b1", text(storage.load(b)));
    }

    @Test
    void newOidAfterReopenIsAboveEveryStoredOid() {
      requireDurable();
      Oid high = Oid.of(storage.newOid().value() + 10_000);
      write(high, "high");
      Oid low = storage.newOid();
      write(low, "low");
      reopenStorage();
      Oid next = storage.newOid();
      assertTrue(next.compareTo(high) > 0, next + " not above stored " + high);
      assertTrue(next.compareTo(low) > 0, next + " not above stored " + low);
    }

    @Test
    void commitsContinueAfterReopenWithLaterTids() {
      requireDurable();
      Oid oid = storage.newOid();
      Tid t1 = write(oid, "v1");
      reopenStorage();
      assertEquals(t1, storage.lastTransaction());
      StaleTidException e = assertThrows(StaleTidException.class, () -> storage.begin(META, t1));
      assertEquals(t1, e.lastTransaction());
      Tid t2 = write(oid, "v2");
      assertTrue(t2.isAfter(t1));
      assertEquals(List.of(t1, t2), tidsOf(transactionsOf(storage, Tid.NONE)));
    }

    @Test
    void uncommittedTransactionsLeaveNoTraceAfterReopen() {
      requireDurable();
      Tid t1 = write(storage.newOid(), "kept");
      Oid aborted = storage.newOid();
      StorageTransaction tx = storage.begin(META);
      tx.store(aborted, Tid.NONE, bytes("aborted"));
      tx.vote();
      tx.abort();
      Snapshot before = Snapshot.of(storage);
      reopenStorage();
      assertEquals(before, Snapshot.of(storage));
      assertEquals(t1, storage.lastTransaction());
      assertNotFound(storage, aborted);
    }

    @Test
    void packAndRestoreSurviveReopen() {
      requireDurable();
      Oid oid = storage.newOid();
      Tid t1 = write(oid, "v1");
      Tid t2 = write(oid, "v2");
      storage.pack(t2.next());
      TransactionRecord restored = new TransactionRecord(later(t2, 50), META,
          List.of(new DataRecord(oid, bytes("restored"))));
      storage.restore(restored);
      Snapshot before = Snapshot.of(storage);
      reopenStorage();
      assertEquals(before, Snapshot.of(storage));
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(oid, t1));
      assertEquals("v2", text(storage.loadSerial(oid, t2)));
      assertEquals("restored", text(storage.load(oid)));
    }
  }
}
