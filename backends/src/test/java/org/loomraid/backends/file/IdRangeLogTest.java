package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.file.Fixtures.bytes;
import static org.loomraid.backends.file.Fixtures.commit;
import static org.loomraid.backends.file.Fixtures.history;
import static org.loomraid.backends.file.Fixtures.logOf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.IdSpaceExhaustedException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * Issue 10, scenario 3, storage side: a log written by an older version that already holds a tid
 * above {@link Tid#MAX}, or an OID reservation or object id above {@link Oid#MAX}, still opens,
 * answers every read, and refuses what would go past the end of the range with an answer
 * ({@link IdSpaceExhaustedException}, a {@link StorageException}), on every open.
 */
class IdRangeLogTest {

  private static final TransactionMeta META = TransactionMeta.of("old version", "beyond the range");
  private static final Tid EARLY = Tid.of(1_000);
  private static final Tid BEYOND = Tid.of(Long.MAX_VALUE);

  @TempDir Path dir;

  /** Writes a log made of the file header and {@code units}, as an older version could have. */
  private void writeLog(LogFormat.EncodedUnit... units) throws IOException {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    log.write(LogFormat.fileHeader());
    for (LogFormat.EncodedUnit unit : units) {
      log.write(unit.bytes());
    }
    Files.write(logOf(dir), log.toByteArray());
  }

  private static LogFormat.EncodedUnit transaction(Tid tid, long oid, String data) {
    return LogFormat.encodeTransaction(tid, LogFormat.encodeMeta(META), List.of(Oid.of(oid)),
        List.of(bytes(data)));
  }

  @Test
  void aLogWithATidAboveTheRangeOpensAnswersReadsAndRefusesEveryCommit() throws IOException {
    writeLog(transaction(EARLY, 1, "v1"), transaction(BEYOND, 1, "v2"));
    for (int open = 0; open < 2; open++) {
      try (FileStorage storage = Fixtures.openFast(dir)) {
        assertEquals(BEYOND, storage.lastTransaction());
        assertArrayEquals(bytes("v2"), storage.load(Oid.of(1)).data());
        assertArrayEquals(bytes("v1"), storage.loadSerial(Oid.of(1), EARLY).data());
        assertArrayEquals(bytes("v1"), storage.loadBefore(Oid.of(1), BEYOND).orElseThrow().data());
        assertEquals(List.of(EARLY, BEYOND), history(storage).stream().map(TransactionRecord::tid).toList());
        assertEquals(2, storage.stats().transactions());

        long size = Files.size(logOf(dir));
        IdSpaceExhaustedException exhausted = assertThrows(IdSpaceExhaustedException.class, () -> {
          try (StorageTransaction tx = storage.begin(META)) {
            tx.store(Oid.of(1), BEYOND, bytes("v3"));
            tx.vote();
            tx.commit();
          }
        });
        assertTrue(exhausted.getMessage().contains("Tid.MAX"), exhausted.getMessage());
        assertThrows(StaleTidException.class, () -> storage.begin(META, Tid.MAX));
        assertThrows(StaleTidException.class, () -> storage.restore(
            new TransactionRecord(Tid.MAX, META, List.of(new DataRecord(Oid.of(2), bytes("x"))))));
        assertThrows(IllegalArgumentException.class, () -> storage.restore(
            new TransactionRecord(BEYOND, META, List.of())), "a tid above the range is a bad argument");
        assertEquals(size, Files.size(logOf(dir)), "nothing was written");
        assertEquals(BEYOND, storage.lastTransaction());
      }
    }
    writeLog(transaction(EARLY, 1, "v1"), transaction(EARLY.next(), 1, "v1 again"),
        transaction(BEYOND, 1, "v2"));
    try (FileStorage storage = Fixtures.openFast(dir)) {
      storage.pack(BEYOND);
      assertEquals(List.of(EARLY.next(), BEYOND), history(storage).stream()
          .filter(record -> !record.records().isEmpty()).map(TransactionRecord::tid).toList(),
          "a pack drops what it may and keeps the transaction beyond the range");
      assertThrows(IdSpaceExhaustedException.class, () -> commit(storage, Oid.of(1), "v3"));
    }
    try (FileStorage storage = Fixtures.openFast(dir)) {
      assertEquals(BEYOND, storage.lastTransaction(), "the packed log opens");
    }
  }

  @Test
  void aLogWithAReservationAboveTheRangeAnswersNewOidButStillCommits() throws IOException {
    writeLog(transaction(EARLY, 1, "v1"), LogFormat.encodeReservation(Long.MAX_VALUE));
    Tid committed;
    try (FileStorage storage = Fixtures.openFast(dir)) {
      assertThrows(IdSpaceExhaustedException.class, storage::newOid);
      storage.reserveOids(Oid.MAX);
      assertThrows(IdSpaceExhaustedException.class, storage::newOid, "asked again");
      committed = commit(storage, Oid.of(1), "v2");
      assertArrayEquals(bytes("v2"), storage.load(Oid.of(1)).data());
    }
    try (FileStorage storage = Fixtures.openFast(dir)) {
      assertEquals(committed, storage.lastTransaction());
      assertThrows(IdSpaceExhaustedException.class, storage::newOid, "after a reopen too");
      storage.pack(committed);
      assertThrows(IdSpaceExhaustedException.class, storage::newOid, "a pack keeps the reservation");
    }
    try (FileStorage storage = Fixtures.openFast(dir)) {
      assertThrows(IdSpaceExhaustedException.class, storage::newOid, "and so does the packed log");
    }
  }

  @Test
  void aLogWithAnObjectIdAboveTheRangeServesItAndAnswersNewOid() throws IOException {
    writeLog(transaction(EARLY, Long.MAX_VALUE, "far away"));
    try (FileStorage storage = Fixtures.openFast(dir)) {
      assertArrayEquals(bytes("far away"), storage.load(Oid.of(Long.MAX_VALUE)).data());
      assertThrows(IdSpaceExhaustedException.class, storage::newOid);
      Tid next = commit(storage, Oid.of(1), "near");
      assertTrue(next.isAfter(EARLY));
    }
  }
}
