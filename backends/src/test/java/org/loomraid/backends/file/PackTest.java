package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.file.Fixtures.assertSameHistory;
import static org.loomraid.backends.file.Fixtures.bytes;
import static org.loomraid.backends.file.Fixtures.commit;
import static org.loomraid.backends.file.Fixtures.history;
import static org.loomraid.backends.file.Fixtures.logOf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;

/** Pack: the same semantics as MemoryStorage, an atomic swap, and no harm to readers or crashes. */
class PackTest {

  private static final int OBJECTS = 6;
  private static final int TRANSACTIONS = 30;

  @TempDir Path dir;

  /** Builds the same history in both storages: tids 1..30, object i % 6 rewritten each time. */
  private static List<Tid> build(Storage storage) {
    List<Tid> tids = new ArrayList<>();
    for (int i = 0; i < TRANSACTIONS; i++) {
      Map<Oid, byte[]> writes = new java.util.LinkedHashMap<>();
      writes.put(Oid.of(i % OBJECTS), bytes("object " + (i % OBJECTS) + " version " + i));
      if (i % 4 == 0) {
        writes.put(Oid.of(100 + i), bytes("written once " + i));
      }
      tids.add(commit(storage, writes));
    }
    return tids;
  }

  private FileStorage openCounting(Path directory) {
    return FileStorage.builder(directory).fsyncPolicy(FsyncPolicy.NONE).tidGenerator(Fixtures.countingTids()).open();
  }

  @ParameterizedTest(name = "before tid {0}")
  @ValueSource(longs = {1, 2, 7, 15, 29, 30, 31, 1000})
  void packDropsExactlyTheRevisionsNoLongerNeeded(long before) {
    List<Tid> tids;
    HistoryModel expected;
    try (FileStorage storage = openCounting(dir)) {
      tids = build(storage);
      expected = new HistoryModel(history(storage)).packed(Tid.of(before));
      storage.pack(Tid.of(before));
      assertSameState(expected, storage, tids);
    }
    try (FileStorage reopened = openCounting(dir)) {
      assertSameState(expected, reopened, tids);
      Tid next = commit(reopened, Oid.of(1), "after the pack");
      assertEquals(tids.get(tids.size() - 1).next(), next);
    }
  }

  @Test
  void theHistoryMatchesTheModelBeforeAnyPack() {
    try (FileStorage storage = openCounting(dir)) {
      List<Tid> tids = build(storage);
      assertSameState(new HistoryModel(history(storage)), storage, tids);
      assertEquals(TRANSACTIONS, tids.size());
    }
  }

  private static void assertSameState(HistoryModel expected, Storage actual, List<Tid> tids) {
    assertSameHistory(expected.history(), history(actual));
    assertEquals(expected.stats(), actual.stats());
    assertEquals(tids.get(tids.size() - 1), actual.lastTransaction());
    for (Oid oid : expected.oids()) {
      assertEquals(expected.load(oid), actual.load(oid));
      for (Tid tid : tids) {
        assertEquals(expected.loadBefore(oid, tid), actual.loadBefore(oid, tid), oid + " before " + tid);
        assertEquals(outcome(() -> expected.loadSerial(oid, tid)), outcome(() -> actual.loadSerial(oid, tid)),
            oid + " serial " + tid);
      }
    }
  }

  private static Object outcome(java.util.function.Supplier<Revision> read) {
    try {
      return read.get();
    } catch (ObjectNotFoundException e) {
      return "not found";
    }
  }

  @Test
  void aPackedLogIsSmallerAndTheDirectoryHoldsNoTemporaryFile() throws IOException {
    try (FileStorage storage = openCounting(dir)) {
      List<Tid> tids = build(storage);
      long before = Files.size(logOf(dir));
      storage.pack(tids.get(tids.size() - 1));
      assertTrue(Files.size(logOf(dir)) < before, "pack shrank the log");
      assertFalse(Files.exists(dir.resolve(LogLoader.PACK_FILE)));
      if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(logOf(dir))), "the packed log is owner-only too");
      }
      assertEquals(TRANSACTIONS, storage.stats().transactions());
    }
  }

  @Test
  void aPackWithNothingToDropLeavesTheFileAsItWas() throws IOException {
    try (FileStorage storage = openCounting(dir)) {
      List<Tid> tids = build(storage);
      storage.pack(tids.get(tids.size() - 1));
      Object fileKey = Files.readAttributes(logOf(dir), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
      byte[] content = Files.readAllBytes(logOf(dir));
      storage.pack(tids.get(tids.size() - 1));
      storage.pack(tids.get(0));
      assertEquals(fileKey,
          Files.readAttributes(logOf(dir), java.nio.file.attribute.BasicFileAttributes.class).fileKey());
      assertArrayEquals(content, Files.readAllBytes(logOf(dir)));
    }
  }

  @Test
  void packKeepsTheOidReservation() {
    Oid allocated;
    try (FileStorage storage = openCounting(dir)) {
      build(storage);
      allocated = storage.newOid();
      storage.reserveOids(Oid.of(5000));
      storage.pack(storage.lastTransaction());
    }
    try (FileStorage storage = openCounting(dir)) {
      Oid next = storage.newOid();
      assertTrue(next.value() > 5000 && next.value() > allocated.value(), next.toString());
    }
  }

  @Test
  void anIteratorStartedBeforeThePackKeepsReadingTheOldHistory() {
    try (FileStorage storage = openCounting(dir)) {
      build(storage);
      List<TransactionRecord> unpacked = history(storage);
      List<TransactionRecord> seen = new ArrayList<>();
      try (TransactionIterator it = storage.transactions(Tid.NONE)) {
        seen.add(it.next());
        storage.pack(storage.lastTransaction());
        it.forEachRemaining(seen::add);
      }
      assertSameHistory(unpacked, seen);
      assertTrue(storage.stats().bytes() < unpacked.stream().mapToLong(TransactionRecord::dataLength).sum());
    }
  }

  @Test
  void readersAndWritersKeepWorkingDuringPacks() throws Exception {
    int objects = 8;
    Map<Oid, Long> committedVersion = new ConcurrentHashMap<>();
    try (FileStorage storage = Fixtures.openFast(dir)) {
      for (int i = 0; i < objects; i++) {
        commit(storage, Oid.of(i), "0");
        committedVersion.put(Oid.of(i), 0L);
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong reads = new AtomicLong();
      Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        long seed = r;
        threads.add(TestThreads.start("pack-reader-" + r, r == 0, () -> {
          Random random = new Random(seed);
          long[] lastSeen = new long[objects];
          while (!stop.get()) {
            try {
              int i = random.nextInt(objects);
              long version = Long.parseLong(new String(storage.load(Oid.of(i)).data(), StandardCharsets.UTF_8));
              if (version < lastSeen[i]) {
                errors.add(new AssertionError("object " + i + " went back from " + lastSeen[i] + " to " + version));
              }
              lastSeen[i] = version;
              if (random.nextInt(20) == 0) {
                history(storage).forEach(TransactionRecord::records);
              }
              reads.incrementAndGet();
            } catch (Throwable e) {
              errors.add(e);
            }
          }
        }));
      }
      threads.add(TestThreads.start("pack-writer", false, () -> {
        long version = 0;
        while (!stop.get()) {
          try {
            version++;
            Oid oid = Oid.of((int) (version % objects));
            commit(storage, oid, Long.toString(version));
            committedVersion.put(oid, version);
          } catch (Throwable e) {
            errors.add(e);
          }
        }
      }));
      for (int pack = 0; pack < 10; pack++) {
        long readsBefore = reads.get();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> reads.get() > readsBefore + 50);
        storage.pack(storage.lastTransaction());
      }
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      }
      assertTrue(errors.isEmpty(), () -> "failures during pack: " + errors);
      for (Map.Entry<Oid, Long> entry : committedVersion.entrySet()) {
        assertArrayEquals(bytes(Long.toString(entry.getValue())), storage.load(entry.getKey()).data());
      }
      System.out.printf("pack under load: %d reads, %d transactions, 10 packs, no failures%n",
          reads.get(), storage.stats().transactions());
    }
    try (FileStorage reopened = Fixtures.openFast(dir)) {
      for (Map.Entry<Oid, Long> entry : committedVersion.entrySet()) {
        assertArrayEquals(bytes(Long.toString(entry.getValue())), reopened.load(entry.getKey()).data());
      }
    }
  }

  @ParameterizedTest(name = "crash at {0}")
  @EnumSource(PackStep.class)
  void aCrashAtAnyPackStepLeavesAnOpenableCompleteLog(PackStep crashAt) throws IOException {
    Path live = Files.createDirectories(dir.resolve("live"));
    Path image = Files.createDirectories(dir.resolve("crash-image"));
    PackObserver crash = step -> {
      if (step == crashAt) {
        copyFiles(live, image);
        throw new IOException("simulated crash at " + step);
      }
    };
    List<TransactionRecord> unpacked;
    List<TransactionRecord> packed;
    try (FileStorage storage = FileStorage.builder(live).fsyncPolicy(FsyncPolicy.NONE)
        .tidGenerator(Fixtures.countingTids()).packObserver(crash).open()) {
      List<Tid> tids = build(storage);
      unpacked = history(storage);
      packed = new HistoryModel(unpacked).packed(tids.get(20)).history();
      UncheckedIOException failure = assertThrows(UncheckedIOException.class, () -> storage.pack(tids.get(20)));
      assertTrue(failure.getCause().getMessage().contains("simulated crash"), failure.toString());
      assertFalse(Files.exists(live.resolve(LogLoader.PACK_FILE)), "a failed pack removes its file");
      List<TransactionRecord> expectedLive = crashAt == PackStep.RENAMED ? packed : unpacked;
      assertSameHistory(expectedLive, history(storage));
      commit(storage, Oid.of(1), "still writable");
    }
    try (FileStorage recovered = Fixtures.openFast(image)) {
      assertSameHistory(crashAt == PackStep.RENAMED ? packed : unpacked, history(recovered));
      commit(recovered, Oid.of(1), "writable after the crash");
    }
    assertFalse(Files.exists(image.resolve(LogLoader.PACK_FILE)), "open removed the leftover pack file");
  }

  @Test
  void closingDuringAPackStopsItAndKeepsTheOldLog() throws Exception {
    CompletableFuture<Void> closer = new CompletableFuture<>();
    AtomicBoolean closedFlag = new AtomicBoolean();
    FileStorage[] holder = new FileStorage[1];
    PackObserver closeMidway = step -> {
      if (step == PackStep.PREFIX_COPIED) {
        TestThreads.start("closer", false, () -> {
          holder[0].close();
          closer.complete(null);
        });
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
          closedFlag.set(holder[0].toString().contains("closed"));
          return closedFlag.get();
        });
      }
    };
    List<TransactionRecord> unpacked;
    FileStorage storage = FileStorage.builder(dir).fsyncPolicy(FsyncPolicy.NONE)
        .tidGenerator(Fixtures.countingTids()).packObserver(closeMidway).open();
    holder[0] = storage;
    build(storage);
    unpacked = history(storage);
    assertThrows(StorageClosedException.class, () -> storage.pack(storage.lastTransaction()));
    closer.get(30, TimeUnit.SECONDS);
    assertTrue(closedFlag.get());
    assertFalse(Files.exists(dir.resolve(LogLoader.PACK_FILE)));
    try (FileStorage reopened = Fixtures.openFast(dir)) {
      assertSameHistory(unpacked, history(reopened));
    }
  }

  @Test
  void packVerifiesWhatItCopiesAndRefusesADamagedLog() throws IOException {
    try (FileStorage storage = openCounting(dir)) {
      build(storage);
      long middle = Files.size(logOf(dir)) / 2;
      try (RandomAccessFile raw = new RandomAccessFile(logOf(dir).toFile(), "rw")) {
        raw.seek(middle);
        int b = raw.read();
        raw.seek(middle);
        raw.write(b ^ 0x40);
      }
      byte[] damaged = Files.readAllBytes(logOf(dir));
      UncheckedIOException failure = assertThrows(UncheckedIOException.class, () -> {
        try {
          storage.pack(storage.lastTransaction());
        } catch (CorruptLogException e) {
          throw new UncheckedIOException(new IOException(e));
        }
      });
      assertInstanceOf(CorruptLogException.class, failure.getCause().getCause());
      assertArrayEquals(damaged, Files.readAllBytes(logOf(dir)), "the log is left as it was");
      assertFalse(Files.exists(dir.resolve(LogLoader.PACK_FILE)));
    }
  }

  /**
   * Issue 10, scenario 1, storage side: the bulk of a pack is copied and synced without the commit
   * lock, so commits made while it runs (here: while the pack is held right after syncing the bulk)
   * go through at once; a commit that arrives during the locked phase (held after the final sync)
   * waits for that phase only, and every one of them is in the packed log.
   */
  @Test
  void commitsGoOnWhileTheBulkIsCopiedAndSyncedAndWaitOnlyForTheLockedPhase() throws Exception {
    Map<PackStep, CountDownLatch> reached = new EnumMap<>(PackStep.class);
    Map<PackStep, CountDownLatch> released = new EnumMap<>(PackStep.class);
    for (PackStep step : PackStep.values()) {
      reached.put(step, new CountDownLatch(1));
      released.put(step, new CountDownLatch(1));
    }
    PackObserver hold = step -> {
      reached.get(step).countDown();
      try {
        if (!released.get(step).await(30, TimeUnit.SECONDS)) {
          throw new IOException("never released at " + step);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    };
    try (FileStorage storage = FileStorage.builder(dir).fsyncPolicy(FsyncPolicy.EVERY_COMMIT)
        .commitLockTimeout(Duration.ofSeconds(30)).tidGenerator(Fixtures.countingTids())
        .packObserver(hold).open()) {
      List<Tid> tids = build(storage);
      CompletableFuture<Void> pack = CompletableFuture.runAsync(() -> storage.pack(tids.get(20)),
          runnable -> TestThreads.start("packer", false, runnable));
      await(reached.get(PackStep.PREFIX_COPIED));
      Tid duringCopy = commit(storage, Oid.of(1), "committed while the bulk was copied");
      released.get(PackStep.PREFIX_COPIED).countDown();
      await(reached.get(PackStep.PREFIX_SYNCED));
      Tid duringSync = commit(storage, Oid.of(2), "committed after the bulk was synced");
      assertFalse(pack.isDone());
      released.get(PackStep.PREFIX_SYNCED).countDown();

      await(reached.get(PackStep.TEMP_SYNCED));
      CompletableFuture<Tid> duringLock = CompletableFuture.supplyAsync(
          () -> commit(storage, Oid.of(3), "waited for the locked phase"),
          runnable -> TestThreads.start("late-committer", false, runnable));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> storage.commitLockQueueLength() == 1);
      assertFalse(duringLock.isDone(), "a commit waits while the pack holds the commit lock");
      released.get(PackStep.TEMP_SYNCED).countDown();
      released.get(PackStep.RENAMED).countDown();
      pack.get(30, TimeUnit.SECONDS);
      Tid afterPack = duringLock.get(30, TimeUnit.SECONDS);

      assertTrue(duringSync.isAfter(duringCopy) && afterPack.isAfter(duringSync));
      assertArrayEquals(bytes("committed while the bulk was copied"), storage.load(Oid.of(1)).data());
      assertArrayEquals(bytes("committed after the bulk was synced"), storage.load(Oid.of(2)).data());
      assertArrayEquals(bytes("waited for the locked phase"), storage.load(Oid.of(3)).data());
    }
    try (FileStorage reopened = Fixtures.openFast(dir)) {
      assertArrayEquals(bytes("committed after the bulk was synced"), reopened.load(Oid.of(2)).data());
      assertArrayEquals(bytes("waited for the locked phase"), reopened.load(Oid.of(3)).data());
      assertThrows(ObjectNotFoundException.class,
          () -> reopened.loadSerial(Oid.of(0), Tid.of(1)), "the packed log is in place");
    }
  }

  @Test
  void aCommitThatTimesOutDuringThePacksLockedPhaseIsToldSo() throws Exception {
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    PackObserver hold = step -> {
      if (step == PackStep.TEMP_SYNCED) {
        locked.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    try (FileStorage storage = FileStorage.builder(dir).fsyncPolicy(FsyncPolicy.NONE)
        .commitLockTimeout(Duration.ofMillis(200)).tidGenerator(Fixtures.countingTids())
        .packObserver(hold).open()) {
      List<Tid> tids = build(storage);
      CompletableFuture<Void> pack = CompletableFuture.runAsync(() -> storage.pack(tids.get(20)),
          runnable -> TestThreads.start("packer", false, runnable));
      CommitLockTimeoutException timedOut;
      try {
        await(locked);
        timedOut = assertThrows(CommitLockTimeoutException.class,
            () -> commit(storage, Oid.of(1), "too late"));
      } finally {
        release.countDown();
      }
      pack.get(30, TimeUnit.SECONDS);
      assertTrue(timedOut.getMessage().contains("held by the last phase of a pack"), timedOut.getMessage());
      commit(storage, Oid.of(1), "after the pack");
      assertArrayEquals(bytes("after the pack"), storage.load(Oid.of(1)).data());
    }
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertTrue(latch.await(30, TimeUnit.SECONDS), "the pack did not reach the step");
  }

  @Test
  void packBeforeNoneIsRefused() {
    try (FileStorage storage = openCounting(dir)) {
      assertThrows(IllegalArgumentException.class, () -> storage.pack(Tid.NONE));
      assertThrows(IllegalArgumentException.class, () -> storage.pack(null));
    }
  }

  private static void copyFiles(Path from, Path to) throws IOException {
    try (var files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
