package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.file.Fixtures.bytes;
import static org.loomraid.backends.file.Fixtures.commit;
import static org.loomraid.backends.file.Fixtures.history;
import static org.loomraid.backends.file.Fixtures.logOf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/** What follows a failed write or a failed sync: a plain failure when cut back, else in doubt. */
class WriteFailureTest {

  @TempDir Path dir;

  private final AtomicBoolean failNextWrite = new AtomicBoolean();
  private final AtomicBoolean failNextSync = new AtomicBoolean();
  private final AtomicBoolean failNextTruncate = new AtomicBoolean();
  private final AtomicBoolean failed = new AtomicBoolean();

  private final WriteFaults faults = new WriteFaults() {
    @Override
    public void beforeWrite(LogFile file, byte[] unit) throws IOException {
      if (failNextWrite.getAndSet(false)) {
        file.write(Arrays.copyOf(unit, unit.length / 2));
        failed.set(true);
        throw new IOException("No space left on device (simulated, after half the unit)");
      }
    }

    @Override
    public void beforeSync() throws IOException {
      if (failNextSync.getAndSet(false)) {
        failed.set(true);
        throw new IOException("Input/output error (simulated fsync failure)");
      }
    }

    @Override
    public void beforeTruncate() throws IOException {
      if (failNextTruncate.getAndSet(false)) {
        throw new IOException("Input/output error (simulated, cutting the failed write back)");
      }
    }
  };

  private FileStorage open() {
    return FileStorage.builder(dir).writeFaults(faults).open();
  }

  @Test
  void aFailedWriteIsCutBackOffAndTheStorageStaysUsable() throws IOException {
    try (FileStorage storage = open()) {
      Tid good = commit(storage, Oid.of(1), "good");
      long size = Files.size(logOf(dir));
      failNextWrite.set(true);
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> commit(storage, Oid.of(2), "lost"));
      assertTrue(failed.get(), "the fault fired");
      assertTrue(e.getMessage().contains("nothing was committed"), e.getMessage());
      assertEquals(size, Files.size(logOf(dir)), "the half-written unit was cut off");
      assertEquals(good, storage.lastTransaction());
      assertThrows(ObjectNotFoundException.class, () -> storage.load(Oid.of(2)));
      commit(storage, Oid.of(3), "next");
    }
    try (FileStorage storage = open()) {
      assertEquals(2, history(storage).size());
      assertArrayEquals(bytes("next"), storage.load(Oid.of(3)).data());
    }
  }

  /**
   * A commit whose sync failed may or may not have committed: commit() says so with the tid, reads
   * do not show it, the storage names it and refuses writes, and a reopen tells (here the bytes
   * reached the file, so it did commit).
   */
  @Test
  void aCommitWhoseSyncFailedIsInDoubtUntilAReopenTells() {
    Tid good;
    CommitOutcomeUnknownException e;
    try (FileStorage storage = open()) {
      good = commit(storage, Oid.of(1), "good");
      failNextSync.set(true);
      e = assertThrows(CommitOutcomeUnknownException.class, () -> commit(storage, Oid.of(2), "unknown"));
      assertTrue(failed.get(), "the fault fired");
      assertTrue(e.tid().isAfter(good), "the exception carries the transaction's tid: " + e.tid());
      assertTrue(e.getMessage().contains("refuses writes until reopened"), e.getMessage());
      assertInstanceOf(IOException.class, e.getCause());
      assertEquals(Optional.of(e.tid()), storage.transactionInDoubt());

      assertEquals(good, storage.lastTransaction(), "reads do not show the transaction in doubt");
      assertThrows(ObjectNotFoundException.class, () -> storage.load(Oid.of(2)));
      assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(Oid.of(2), e.tid()));
      assertEquals(1, history(storage).size());
      assertArrayEquals(bytes("good"), storage.load(Oid.of(1)).data());

      UncheckedIOException refused =
          assertThrows(UncheckedIOException.class, () -> storage.begin(TransactionMeta.EMPTY));
      assertTrue(refused.getMessage().contains("reopen") && refused.getMessage().contains(e.tid().toString()),
          refused.getMessage());
      assertThrows(UncheckedIOException.class, storage::newOid);
      assertThrows(UncheckedIOException.class, () -> storage.reserveOids(Oid.of(5000)));
      assertThrows(UncheckedIOException.class, () -> storage.pack(storage.lastTransaction()));
      assertThrows(UncheckedIOException.class, () -> storage.restore(
          new TransactionRecord(e.tid().next(), TransactionMeta.EMPTY, List.of())));
    }
    try (FileStorage storage = open()) {
      assertEquals(Optional.empty(), storage.transactionInDoubt());
      assertEquals(e.tid(), storage.lastTransaction(), "the unit reached the file, so it committed");
      assertArrayEquals(bytes("unknown"), storage.loadSerial(Oid.of(2), e.tid()).data());
      commit(storage, Oid.of(3), "writable again after reopen");
    }
  }

  /** A failed write that cannot be cut back leaves its unit's fate unknown, like a failed sync. */
  @Test
  void aFailedWriteThatCannotBeCutBackIsInDoubtAndTheReopenDropsTheTornUnit() {
    Tid good;
    try (FileStorage storage = open()) {
      good = commit(storage, Oid.of(1), "good");
      failNextWrite.set(true);
      failNextTruncate.set(true);
      CommitOutcomeUnknownException e =
          assertThrows(CommitOutcomeUnknownException.class, () -> commit(storage, Oid.of(2), "torn"));
      assertTrue(failed.get(), "the fault fired");
      assertEquals(1, e.getCause().getSuppressed().length, "the failed cut is attached");
      assertEquals(Optional.of(e.tid()), storage.transactionInDoubt());
      assertThrows(UncheckedIOException.class, () -> commit(storage, Oid.of(3), "refused"));
    }
    try (FileStorage storage = open()) {
      assertEquals(good, storage.lastTransaction(), "half a unit is a torn tail: not committed");
      assertThrows(ObjectNotFoundException.class, () -> storage.load(Oid.of(2)));
      commit(storage, Oid.of(3), "writable again after reopen");
    }
  }

  @Test
  void aRestoreWhoseSyncFailedIsInDoubtWithTheRecordsTid() {
    TransactionRecord record = new TransactionRecord(Tid.of(1000), TransactionMeta.of("copy", "restored"),
        List.of(new DataRecord(Oid.of(5), bytes("restored"))));
    try (FileStorage storage = open()) {
      failNextSync.set(true);
      CommitOutcomeUnknownException e =
          assertThrows(CommitOutcomeUnknownException.class, () -> storage.restore(record));
      assertTrue(failed.get(), "the fault fired");
      assertEquals(record.tid(), e.tid());
      assertEquals(Tid.NONE, storage.lastTransaction());
      assertEquals(Optional.of(record.tid()), storage.transactionInDoubt());
    }
    try (FileStorage storage = open()) {
      assertEquals(List.of(record), history(storage), "the record reached the file");
    }
  }

  /**
   * A reservation whose sync failed hands out no id, so whichever way it went no id is ever handed
   * out twice: newOid and reserveOids fail, and after a reopen the counter resumes above every id
   * handed out before.
   */
  @Test
  void aReservationWhoseSyncFailedHandsOutNoId() {
    Oid handedOut;
    try (FileStorage storage = open()) {
      handedOut = storage.newOid();
      storage.reserveOids(Oid.of(FileStorage.OID_BLOCK));
      failNextSync.set(true);
      Oid[] next = new Oid[1];
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> next[0] = storage.newOid(), "the first id of the next block needs a reservation");
      assertTrue(failed.get(), "the fault fired");
      assertNull(next[0], "no id was handed out");
      assertTrue(e.getMessage().contains("OID reservation"), e.getMessage());
      assertEquals(Optional.empty(), storage.transactionInDoubt(), "no transaction is in doubt");
      assertThrows(UncheckedIOException.class, storage::newOid);
      assertThrows(UncheckedIOException.class, () -> storage.reserveOids(Oid.of(10 * FileStorage.OID_BLOCK)));
    }
    try (FileStorage storage = open()) {
      Oid after = storage.newOid();
      assertTrue(after.value() > FileStorage.OID_BLOCK && after.value() > handedOut.value(),
          "resumes above every id handed out: " + after);
    }
    failNextSync.set(true);
    try (FileStorage storage = open()) {
      failed.set(false);
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> storage.reserveOids(Oid.of(100 * FileStorage.OID_BLOCK)));
      assertTrue(failed.get(), "the fault fired");
      assertTrue(e.getMessage().contains("refuses writes until reopened"), e.getMessage());
    }
  }
}
