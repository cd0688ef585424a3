package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.loomraid.backends.file.Fixtures.bytes;
import static org.loomraid.backends.file.Fixtures.commit;
import static org.loomraid.backends.file.Fixtures.history;
import static org.loomraid.backends.file.Fixtures.logOf;
import static org.loomraid.backends.file.Fixtures.openFast;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

class FileStorageTest {

  @TempDir Path dir;

  @Test
  void openCreatesAnOwnerOnlyLogInAnEmptyDirectory() throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      assertEquals(Tid.NONE, storage.lastTransaction());
      assertEquals(new StorageStats(0, 0, 0), storage.stats());
    }
    assertEquals(LogFormat.FILE_HEADER_LENGTH, Files.size(logOf(dir)));
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(logOf(dir))));
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve(DirectoryLock.LOCK_FILE))));
  }

  @Test
  void nameDefaultsToTheDirectoryName() throws IOException {
    Path named = Files.createDirectories(dir.resolve("orders-a"));
    try (FileStorage storage = FileStorage.open(named)) {
      assertEquals("orders-a", storage.name());
    }
    try (FileStorage storage = FileStorage.builder(named).name("mirror-1").open()) {
      assertEquals("mirror-1", storage.name());
      assertEquals(named, storage.directory());
      assertEquals(FsyncPolicy.EVERY_COMMIT, storage.fsyncPolicy());
      assertEquals(DataRecord.MAX_DATA_LENGTH, storage.maxRecordSize());
      assertFalse(storage.isReadOnly());
    }
  }

  @Test
  void committedTransactionsSurviveReopenWithDataMetaAndStats() {
    TransactionMeta meta = new TransactionMeta("alice", "first", Map.of("app", "shop", "n", "1"));
    Tid first;
    Tid second;
    try (FileStorage storage = FileStorage.open(dir)) {
      first = commit(storage, meta, Map.of(Oid.of(1), bytes("one"), Oid.of(2), bytes("two")));
      second = commit(storage, Oid.of(1), "one, again");
    }
    try (FileStorage storage = FileStorage.open(dir)) {
      assertEquals(second, storage.lastTransaction());
      assertEquals(new Revision(Oid.of(1), second, bytes("one, again")), storage.load(Oid.of(1)));
      assertEquals(new Revision(Oid.of(2), first, bytes("two")), storage.load(Oid.of(2)));
      List<TransactionRecord> all = history(storage);
      assertEquals(2, all.size());
      assertEquals(meta, all.get(0).meta());
      assertEquals(first, all.get(0).tid());
      assertEquals(new StorageStats(2, 2, 3 + 3 + 10), storage.stats());
    }
  }

  @Test
  void olderRevisionsAreReachableAfterReopen() {
    Tid[] tids = new Tid[5];
    try (FileStorage storage = openFast(dir)) {
      for (int i = 0; i < tids.length; i++) {
        tids[i] = commit(storage, Oid.of(7), "v" + i);
      }
    }
    try (FileStorage storage = openFast(dir)) {
      for (int i = 0; i < tids.length; i++) {
        assertArrayEquals(bytes("v" + i), storage.loadSerial(Oid.of(7), tids[i]).data());
        Optional<Revision> before = storage.loadBefore(Oid.of(7), tids[i]);
        if (i == 0) {
          assertEquals(Optional.empty(), before);
        } else {
          assertEquals(tids[i - 1], before.orElseThrow().serial());
        }
      }
      assertEquals(tids[4], storage.loadBefore(Oid.of(7), Tid.of(Long.MAX_VALUE)).orElseThrow().serial());
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(Oid.of(7), tids[0].next()));
      assertThrows(ObjectNotFoundException.class, () -> storage.loadBefore(Oid.of(8), tids[1]));
      assertThrows(ObjectNotFoundException.class, () -> storage.load(Oid.of(8)));
    }
  }

  @Test
  void newOidNeverRepeatsAcrossReopens() {
    Set<Oid> seen = new HashSet<>();
    long highest = 0;
    for (int session = 0; session < 4; session++) {
      try (FileStorage storage = openFast(dir)) {
        for (int i = 0; i < 1500; i++) {
          Oid oid = storage.newOid();
          assertTrue(seen.add(oid), "repeated " + oid);
          assertTrue(oid.value() > highest, oid + " not above " + highest);
          highest = oid.value();
        }
      }
    }
  }

  @Test
  void newOidResumesAboveStoredAndReservedIdsAfterReopen() {
    try (FileStorage storage = openFast(dir)) {
      commit(storage, Oid.of(5000), "stored without newOid");
      storage.reserveOids(Oid.of(9000));
      assertEquals(Oid.of(9001), storage.newOid());
    }
    try (FileStorage storage = openFast(dir)) {
      assertTrue(storage.newOid().value() > 9001);
    }
  }

  @Test
  void reservationsCoverWholeBlocksAndAReopenResumesAfterTheBlock() throws IOException {
    long block = FileStorage.OID_BLOCK;
    try (FileStorage storage = openFast(dir)) {
      long sizeBefore = Files.size(logOf(dir));
      for (int i = 0; i < block; i++) {
        storage.newOid();
      }
      assertEquals(sizeBefore + LogFormat.RESERVATION_UNIT_LENGTH, Files.size(logOf(dir)),
          "one reservation for a whole block");
    }
    try (FileStorage storage = openFast(dir)) {
      assertEquals(Oid.of(block + 1), storage.newOid());
    }
    try (FileStorage storage = openFast(dir)) {
      assertEquals(Oid.of(2 * block + 1), storage.newOid());
    }
  }

  @Test
  void reservationsAreRoundedToBlocksSoMirrorsAgree() throws IOException {
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    try (FileStorage first = openFast(a); FileStorage second = openFast(b)) {
      for (int i = 0; i < 10; i++) {
        first.newOid();
      }
      second.reserveOids(Oid.of(10));
    }
    try (FileStorage first = openFast(a); FileStorage second = openFast(b)) {
      assertEquals(first.newOid(), second.newOid());
    }
  }

  @Test
  void transactionsAfterATidReturnTheRestInOrder() {
    try (FileStorage storage = openFast(dir)) {
      List<Tid> tids = Fixtures.commitSmall(storage, 6);
      List<TransactionRecord> tail;
      try (var it = storage.transactions(tids.get(2))) {
        tail = new ArrayList<>();
        it.forEachRemaining(tail::add);
      }
      assertEquals(tids.subList(3, 6), tail.stream().map(TransactionRecord::tid).toList());
      try (var it = storage.transactions(tids.get(5))) {
        assertFalse(it.hasNext());
      }
    }
  }

  @Test
  void restoreAppendsATransactionVerbatimAndRefusesAStaleTid() {
    TransactionRecord record = new TransactionRecord(Tid.of(1_000_000), TransactionMeta.of("r", "copied"),
        List.of(new DataRecord(Oid.of(3), bytes("three")), new DataRecord(Oid.of(4), bytes("four"))));
    try (FileStorage storage = openFast(dir)) {
      storage.restore(record);
      assertThrows(StaleTidException.class, () -> storage.restore(record));
      assertEquals(List.of(record), history(storage));
    }
    try (FileStorage storage = openFast(dir)) {
      assertEquals(List.of(record), history(storage));
      assertEquals(Tid.of(1_000_000), storage.lastTransaction());
      assertTrue(storage.newOid().value() > 4);
    }
  }

  @Test
  void conflictsAreDetectedAtStoreAndAtVote() {
    try (FileStorage storage = openFast(dir)) {
      Tid first = commit(storage, Oid.of(1), "a");
      try (StorageTransaction tx = storage.begin(TransactionMeta.EMPTY)) {
        assertThrows(ConflictException.class, () -> tx.store(Oid.of(1), Tid.NONE, bytes("b")));
      }
      StorageTransaction late = storage.begin(TransactionMeta.EMPTY);
      late.store(Oid.of(1), first, bytes("late"));
      commit(storage, Oid.of(1), "meanwhile");
      ConflictException conflict = assertThrows(ConflictException.class, late::vote);
      assertEquals(Oid.of(1), conflict.oid());
      assertArrayEquals(bytes("meanwhile"), storage.load(Oid.of(1)).data());
      commit(storage, Oid.of(2), "the commit lock was released");
    }
  }

  @Test
  void beginWithAStaleTidIsRefused() {
    try (FileStorage storage = openFast(dir)) {
      Tid last = commit(storage, Oid.of(1), "a");
      assertThrows(StaleTidException.class, () -> storage.begin(TransactionMeta.EMPTY, last));
      StorageTransaction chosen = storage.begin(TransactionMeta.EMPTY, last.next().next());
      chosen.store(Oid.of(2), Tid.NONE, bytes("b"));
      chosen.vote();
      assertEquals(last.next().next(), chosen.commit());
    }
  }

  @Test
  void recordsLargerThanTheLimitAreRefusedAndChangeNothing() {
    try (FileStorage storage = FileStorage.builder(dir).maxRecordSize(100).open()) {
      try (StorageTransaction tx = storage.begin(TransactionMeta.EMPTY)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> tx.store(Oid.of(1), Tid.NONE, new byte[101]));
        assertTrue(e.getMessage().contains("maxRecordSize = 100"), e.getMessage());
        tx.store(Oid.of(1), Tid.NONE, new byte[100]);
        tx.vote();
        tx.commit();
      }
      TransactionRecord big = new TransactionRecord(Tid.MAX, TransactionMeta.EMPTY,
          List.of(new DataRecord(Oid.of(2), new byte[101])));
      assertThrows(IllegalArgumentException.class, () -> storage.restore(big));
      assertEquals(1, history(storage).size());
    }
  }

  @Test
  void builderRejectsBadSettingsNamingThem() {
    FileStorage.Builder builder = FileStorage.builder(dir);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.maxRecordSize(0))
        .getMessage().contains("maxRecordSize"));
    assertThrows(IllegalArgumentException.class, () -> builder.maxRecordSize(DataRecord.MAX_DATA_LENGTH + 1));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.commitLockTimeout(Duration.ZERO))
        .getMessage().contains("commitLockTimeout"));
    assertThrows(IllegalArgumentException.class, () -> builder.name(" "));
    assertThrows(NullPointerException.class, () -> builder.fsyncPolicy(null));
    assertThrows(NullPointerException.class, () -> builder.tidGenerator(null));
    assertThrows(NullPointerException.class, () -> FileStorage.builder(null));
  }

  @Test
  void openRefusesAMissingDirectoryAFileAndAnUnwritableDirectory() throws IOException {
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> FileStorage.open(dir.resolve("nope")));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    Path file = Files.createFile(dir.resolve("plain"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FileStorage.open(file))
        .getMessage().contains("not a directory"));
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path locked = Files.createDirectories(dir.resolve("locked"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-x------"));
    try {
      assumeTrue(!Files.isWritable(locked), "running as a user who can write anywhere");
      assertTrue(assertThrows(IllegalArgumentException.class, () -> FileStorage.open(locked))
          .getMessage().contains("not writable"));
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void readOnlyStorageReadsButRefusesEveryWrite() throws IOException {
    Tid tid;
    try (FileStorage storage = openFast(dir)) {
      tid = commit(storage, Oid.of(1), "kept");
    }
    byte[] before = Files.readAllBytes(logOf(dir));
    try (FileStorage storage = FileStorage.builder(dir).readOnly(true).open()) {
      assertTrue(storage.isReadOnly());
      assertEquals(tid, storage.lastTransaction());
      assertArrayEquals(bytes("kept"), storage.load(Oid.of(1)).data());
      assertThrows(ReadOnlyStorageException.class, () -> storage.begin(TransactionMeta.EMPTY));
      assertThrows(ReadOnlyStorageException.class, () -> storage.begin(TransactionMeta.EMPTY, tid.next()));
      assertThrows(ReadOnlyStorageException.class, storage::newOid);
      assertThrows(ReadOnlyStorageException.class, () -> storage.reserveOids(Oid.of(5)));
      assertThrows(ReadOnlyStorageException.class, () -> storage.pack(tid));
      ReadOnlyStorageException e = assertThrows(ReadOnlyStorageException.class, () -> storage.restore(
          new TransactionRecord(tid.next(), TransactionMeta.EMPTY, List.of())));
      assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    }
    assertArrayEquals(before, Files.readAllBytes(logOf(dir)));
  }

  @Test
  void readOnlyOpenNeedsAnExistingLogAndCreatesNothing() throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FileStorage.builder(dir).readOnly(true).open());
    assertTrue(e.getMessage().contains("holds no log"), e.getMessage());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void aFileThatIsNotALogIsRefused() throws IOException {
    Files.write(logOf(dir), bytes("this is not a loomraid log at all"));
    LogFormatException e = assertThrows(LogFormatException.class, () -> FileStorage.open(dir));
    assertTrue(e.getMessage().contains("not a loomraid log"), e.getMessage());
    assertTrue(e.getMessage().contains(logOf(dir).toString()), e.getMessage());
    assertEquals(0, e.offset());
    Files.write(logOf(dir), new byte[3]);
    assertThrows(LogFormatException.class, () -> FileStorage.open(dir));
  }

  @Test
  void aNewerFormatVersionIsRefusedNamingBothVersions() throws IOException {
    ByteBuffer header = ByteBuffer.allocate(LogFormat.FILE_HEADER_LENGTH);
    header.put(LogFormat.FILE_MAGIC).putShort((short) 2).putShort((short) 0);
    header.putInt(LogFormat.crc(header.array(), 0, 12));
    Files.write(logOf(dir), header.array());
    LogFormatException e = assertThrows(LogFormatException.class, () -> FileStorage.open(dir));
    assertFalse(e instanceof CorruptLogException);
    assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    assertTrue(e.getMessage().contains("reads format version 1"), e.getMessage());
  }

  @Test
  void leftoverTemporaryFilesAreRemovedOnOpen() throws IOException {
    try (FileStorage storage = openFast(dir)) {
      commit(storage, Oid.of(1), "a");
    }
    Files.write(dir.resolve(LogLoader.PACK_FILE), bytes("half a pack"));
    Files.write(dir.resolve(LogLoader.NEW_FILE), bytes("half a new log"));
    try (FileStorage storage = openFast(dir)) {
      assertArrayEquals(bytes("a"), storage.load(Oid.of(1)).data());
    }
    assertFalse(Files.exists(dir.resolve(LogLoader.PACK_FILE)));
    assertFalse(Files.exists(dir.resolve(LogLoader.NEW_FILE)));
  }

  @Test
  void closeIsIdempotentAndLaterCallsFailAsClosed() {
    FileStorage storage = openFast(dir);
    commit(storage, Oid.of(1), "a");
    StorageTransaction voted = storage.begin(TransactionMeta.EMPTY);
    voted.store(Oid.of(2), Tid.NONE, bytes("b"));
    voted.vote();
    storage.close();
    storage.close();
    assertEquals(dir.getFileName().toString(), storage.name());
    assertThrows(StorageClosedException.class, voted::commit);
    assertThrows(StorageClosedException.class, storage::lastTransaction);
    assertThrows(StorageClosedException.class, () -> storage.load(Oid.of(1)));
    assertThrows(StorageClosedException.class, storage::newOid);
    assertThrows(StorageClosedException.class, storage::stats);
    assertThrows(StorageClosedException.class, () -> storage.transactions(Tid.NONE));
    try (FileStorage reopened = openFast(dir)) {
      assertEquals(1, history(reopened).size());
    }
  }

  @Test
  void aSecondVoteTimesOutWhileTheCommitLockIsHeld() {
    try (FileStorage storage =
        FileStorage.builder(dir).fsyncPolicy(FsyncPolicy.NONE).commitLockTimeout(Duration.ofMillis(50)).open()) {
      StorageTransaction first = storage.begin(TransactionMeta.EMPTY);
      first.store(Oid.of(1), Tid.NONE, bytes("a"));
      first.vote();
      StorageTransaction second = storage.begin(TransactionMeta.EMPTY);
      second.store(Oid.of(2), Tid.NONE, bytes("b"));
      assertThrows(CommitLockTimeoutException.class, second::vote);
      first.commit();
      commit(storage, Oid.of(3), "c");
      assertEquals(2, history(storage).size());
    }
  }

  @Test
  void largeRecordsRoundTripThroughTheIndexAndAReopen() {
    byte[] big = new byte[3 * 1024 * 1024 + 17];
    new Random(1).nextBytes(big);
    byte[] edge = new byte[LogIndex.LENGTH_UNKNOWN];
    new Random(2).nextBytes(edge);
    try (FileStorage storage = openFast(dir)) {
      commit(storage, Map.of(Oid.of(1), big, Oid.of(2), edge, Oid.of(3), new byte[0]));
      assertArrayEquals(big, storage.load(Oid.of(1)).data());
    }
    try (FileStorage storage = openFast(dir)) {
      assertArrayEquals(big, storage.load(Oid.of(1)).data());
      assertArrayEquals(edge, storage.load(Oid.of(2)).data());
      assertArrayEquals(new byte[0], storage.load(Oid.of(3)).data());
      assertEquals(big.length + edge.length, storage.stats().bytes());
    }
  }

  @Test
  void anyJavaStringInTheMetaReadsBackExactly() {
    String odd = "nul\u0000, surrogate pair \uD83D\uDE00, lone \uD800 and \uDFFF, é, 中";
    TransactionMeta meta = new TransactionMeta(odd, "", Map.of(odd, odd, "", ""));
    try (FileStorage storage = openFast(dir)) {
      commit(storage, meta, Map.of(Oid.of(1), bytes("x")));
    }
    try (FileStorage storage = openFast(dir)) {
      assertEquals(meta, history(storage).get(0).meta());
    }
  }

  @Test
  void aTransactionWithoutStoresCommitsAndCounts() {
    try (FileStorage storage = openFast(dir)) {
      Tid tid = commit(storage, Map.of());
      assertEquals(tid, storage.lastTransaction());
    }
    try (FileStorage storage = openFast(dir)) {
      assertEquals(1, storage.stats().transactions());
      assertEquals(List.of(), history(storage).get(0).records());
    }
  }

  @Test
  void aRecordDamagedAfterOpenFailsItsReadNamingTheOffset() throws IOException {
    try (FileStorage storage = openFast(dir)) {
      commit(storage, Oid.of(1), "sound data");
      long size = Files.size(logOf(dir));
      long dataOffset = size - LogFormat.UNIT_TRAILER_LENGTH - "sound data".length();
      try (RandomAccessFile raw = new RandomAccessFile(logOf(dir).toFile(), "rw")) {
        raw.seek(dataOffset);
        raw.write('S');
      }
      CorruptLogException e = assertThrows(CorruptLogException.class, () -> storage.load(Oid.of(1)));
      long recordOffset = dataOffset - LogFormat.RECORD_HEADER_LENGTH;
      assertEquals(recordOffset, e.offset());
      assertTrue(e.getMessage().contains("byte offset " + recordOffset), e.getMessage());
      assertThrows(CorruptLogException.class, () -> history(storage));
      commit(storage, Oid.of(2), "other objects are unaffected");
      assertArrayEquals(bytes("other objects are unaffected"), storage.load(Oid.of(2)).data());
    }
  }

  @Test
  void storingAnObjectTwiceKeepsTheLaterData() {
    try (FileStorage storage = openFast(dir)) {
      try (StorageTransaction tx = storage.begin(TransactionMeta.EMPTY)) {
        tx.store(Oid.of(1), Tid.NONE, bytes("first"));
        tx.store(Oid.of(1), Tid.NONE, bytes("second, longer"));
        tx.vote();
        tx.commit();
      }
    }
    try (FileStorage storage = openFast(dir)) {
      assertArrayEquals(bytes("second, longer"), storage.load(Oid.of(1)).data());
      assertEquals(1, history(storage).get(0).records().size());
      assertNotEquals(0, storage.stats().bytes());
    }
  }

  /**
   * A hot object's history spans the index's head and many chunks: every revision stays reachable
   * by serial and by tid, after a reopen (the scanner builds the same index) and after a pack.
   */
  @Test
  void everyRevisionOfAHotObjectStaysReachableAcrossChunksReopenAndPack() {
    int revisions = 3 * AppendOnlyPairs.CHUNK_PAIRS + 11;
    List<Tid> serials = new ArrayList<>();
    Oid hot = Oid.of(7);
    try (FileStorage storage = openFast(dir)) {
      for (int i = 0; i < revisions; i++) {
        serials.add(commit(storage, hot, "v" + i));
      }
      checkEveryRevision(storage, hot, serials, 0);
    }
    try (FileStorage storage = openFast(dir)) {
      checkEveryRevision(storage, hot, serials, 0);
      int middle = 2 * AppendOnlyPairs.CHUNK_PAIRS + 5;
      storage.pack(serials.get(middle));
      checkEveryRevision(storage, hot, serials, middle - 1);
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(hot, serials.get(middle - 2)));
      assertEquals(revisions, history(storage).size(), "transactions are kept");
      Tid next = commit(storage, hot, "after the pack");
      assertEquals(next, storage.load(hot).serial());
    }
  }

  /** Checks that revisions {@code from..} of {@code oid} load by serial, before a tid, and current. */
  private static void checkEveryRevision(FileStorage storage, Oid oid, List<Tid> serials, int from) {
    for (int i = from; i < serials.size(); i++) {
      assertArrayEquals(bytes("v" + i), storage.loadSerial(oid, serials.get(i)).data(), "serial " + i);
      assertArrayEquals(bytes("v" + i), storage.loadBefore(oid, serials.get(i).next()).orElseThrow().data(),
          "before the tid after revision " + i);
    }
    assertArrayEquals(bytes("v" + (serials.size() - 1)), storage.load(oid).data());
    if (from == 0) {
      assertTrue(storage.loadBefore(oid, serials.get(0)).isEmpty());
    }
  }

  /**
   * Issue 10, scenario 10: a commit that is indexed but not yet published is invisible to reads, so
   * the early conflict check at store() must not see it either; the writer learns of the conflict
   * at vote, once its own reads show the commit it conflicts with.
   */
  @Test
  void aStoreIsNotToldOfAConflictWithACommitThatReadsDoNotShowYet() throws Exception {
    CountDownLatch indexed = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean hold = new AtomicBoolean();
    StepObserver holdOnce = new StepObserver() {
      @Override
      public void indexed(Tid tid) {
        if (hold.getAndSet(false)) {
          indexed.countDown();
          awaitQuietly(release);
        }
      }
    };
    try (FileStorage storage = FileStorage.builder(dir).fsyncPolicy(FsyncPolicy.NONE)
        .stepObserver(holdOnce).open()) {
      Oid oid = Oid.of(1);
      Tid first = commit(storage, oid, "v1");
      hold.set(true);
      CompletableFuture<Tid> writer = new CompletableFuture<>();
      TestThreads.start("committer", false, () -> {
        try {
          writer.complete(commit(storage, oid, "v2"));
        } catch (RuntimeException e) {
          writer.completeExceptionally(e);
        }
      });
      StorageTransaction late = storage.begin(TransactionMeta.EMPTY);
      try {
        assertTrue(indexed.await(10, TimeUnit.SECONDS), "the commit was indexed");
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
    StepObserver holdOnce = new StepObserver() {
      @Override
      public void snapshotTaken(Oid oid) {
        if (hold.getAndSet(false)) {
          snapshotTaken.countDown();
          awaitQuietly(release);
        }
      }
    };
    try (FileStorage storage = FileStorage.builder(dir).fsyncPolicy(FsyncPolicy.NONE)
        .stepObserver(holdOnce).open()) {
      Oid oid = Oid.of(1);
      commit(storage, oid, "v1");
      commit(storage, oid, "v2");
      hold.set(true);
      CompletableFuture<byte[]> reader = new CompletableFuture<>();
      TestThreads.start("reader", false, () -> {
        try {
          reader.complete(storage.load(oid).data());
        } catch (RuntimeException e) {
          reader.completeExceptionally(e);
        }
      });
      try {
        assertTrue(snapshotTaken.await(10, TimeUnit.SECONDS), "the reader took its snapshot");
        Tid v3 = commit(storage, oid, "v3");
        storage.pack(v3.next());
        assertTrue(storage.loadBefore(oid, v3).isEmpty(), "v1 and v2 were packed away");
      } finally {
        release.countDown();
      }
      assertArrayEquals(bytes("v3"), reader.get(10, TimeUnit.SECONDS));
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the held step");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
