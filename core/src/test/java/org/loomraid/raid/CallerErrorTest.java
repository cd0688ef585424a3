package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.IdSpaceExhaustedException;
import org.loomraid.storage.LimitExceededException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * A bad argument, a value at the end of an id space, or a storage limit is the caller's error or an
 * answer: refused clearly, with every backend still in service and nothing written.
 */
class CallerErrorTest {

  private static final TransactionMeta META = TransactionMeta.of("t", "caller errors");

  /** Every backend stays in service and holds nothing more than {@code committed}. */
  private static void assertUntouched(Fixture f, RaidStorage raid, Tid committed) {
    assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
    for (MemoryStorage memory : f.memory) {
      assertEquals(committed, memory.lastTransaction(), "something was written");
    }
  }

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void aRecordOverTheBackendsDeclaredLimitIsRefusedBeforeAnyBackendSeesIt(WriteMode mode) {
    try (Fixture f = Fixture.of(3)) {
      f.builder.writeMode(mode);
      for (int i = 0; i < 3; i++) {
        MemoryStorage limited = MemoryStorage.builder("limited-" + i)
            .limits(StorageLimits.DEFAULT.withMaxRecordSize(1024)).build();
        f.builder.backend("limited-" + i, () -> limited);
      }
      RaidStorage raid = f.open();
      Tid first = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      long votes = f.faulty(0).calls(Operation.BEGIN);

      try (StorageTransaction tx = raid.begin(META)) {
        LimitExceededException e = assertThrows(LimitExceededException.class,
            () -> tx.store(Oid.of(2), Tid.NONE, new byte[2048]));
        assertEquals("maxRecordSize", e.limit());
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
      }

      assertEquals(votes, f.faulty(0).calls(Operation.BEGIN), "no backend was asked");
      assertEquals(1024, raid.limits().maxRecordSize());
      assertUntouched(f, raid, first);
    }
  }

  /** A storage that refuses large records but does not declare it: the RAID cannot check up front. */
  private static final class UndeclaredLimit extends ForwardingStorage {
    UndeclaredLimit(Storage delegate) {
      super(delegate);
    }

    @Override
    public StorageTransaction begin(TransactionMeta meta, Tid tid) {
      StorageTransaction tx = super.begin(meta, tid);
      return new StorageTransaction() {
        @Override
        public void store(Oid oid, Tid expectedSerial, byte[] data) {
          if (data.length > 1024) {
            throw new IllegalArgumentException("record of " + data.length + " bytes refused by "
                + name());
          }
          tx.store(oid, expectedSerial, data);
        }

        @Override
        public void vote() {
          tx.vote();
        }

        @Override
        public Tid commit() {
          return tx.commit();
        }

        @Override
        public void abort() {
          tx.abort();
        }

        @Override
        public void close() {
          tx.close();
        }
      };
    }
  }

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void aBadArgumentEveryBackendRefusesAlikeIsTheCallersErrorAndDegradesNobody(WriteMode mode) {
    List<MemoryStorage> memory = List.of(MemoryStorage.create("a"), MemoryStorage.create("b"),
        MemoryStorage.create("c"));
    RaidStorage.Builder builder = RaidStorage.builder("undeclared").writeMode(mode);
    for (MemoryStorage storage : memory) {
      builder.backend(storage.name(), () -> new UndeclaredLimit(storage));
    }
    try (RaidStorage raid = builder.open()) {
      Tid first = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
        try (StorageTransaction tx = raid.begin(META)) {
          tx.store(Oid.of(2), Tid.NONE, new byte[2048]);
          tx.vote();
        }
      });
      assertTrue(e.getMessage().contains("2048 bytes refused"), e.getMessage());
      assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
      for (MemoryStorage storage : memory) {
        assertEquals(first, storage.lastTransaction());
      }
      Fixture.commit(raid, Oid.of(2), Tid.NONE, "small is fine");
    }
  }

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void tidsAndOidsAtTheTopOfTheRangeAreRefusedAndTheRaidStaysUp(WriteMode mode) {
    try (Fixture f = Fixture.of(3)) {
      f.builder.writeMode(mode);
      RaidStorage raid = f.open();
      Tid first = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");

      assertThrows(IllegalArgumentException.class,
          () -> raid.begin(META, Tid.of(Long.MAX_VALUE)));
      assertThrows(IllegalArgumentException.class, () -> raid.restore(new TransactionRecord(
          Tid.of(Long.MAX_VALUE), META, List.of(new DataRecord(Oid.of(9), Fixture.bytes("x"))))));
      assertThrows(IllegalArgumentException.class, () -> raid.reserveOids(Oid.of(Long.MAX_VALUE)));
      assertUntouched(f, raid, first);

      Tid second = Fixture.commit(raid, Oid.of(1), first, "v2");
      assertEquals("v1", Fixture.text(raid.loadBefore(Oid.of(1), second).orElseThrow().data()));
      assertEquals(second, raid.lastTransaction());
    }
  }

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void aRaidAtTheEndOfAnIdSpaceAnswersAndStaysUp(WriteMode mode) {
    try (Fixture f = Fixture.of(3)) {
      f.builder.writeMode(mode);
      RaidStorage raid = f.open();
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      raid.reserveOids(Oid.MAX);
      assertThrows(IdSpaceExhaustedException.class, raid::newOid);

      Tid serial = raid.load(Oid.of(1)).serial();
      try (StorageTransaction tx = raid.begin(META, Tid.MAX)) {
        tx.store(Oid.of(1), serial, Fixture.bytes("the last"));
        tx.vote();
        tx.commit();
      }
      assertThrows(IdSpaceExhaustedException.class,
          () -> Fixture.commit(raid, Oid.of(1), Tid.MAX, "beyond"));

      assertEquals("the last", Fixture.text(raid.load(Oid.of(1)).data()));
      assertEquals("v1", Fixture.text(raid.loadBefore(Oid.of(1), Tid.MAX).orElseThrow().data()));
      assertEquals(Tid.MAX, raid.lastTransaction());
      assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
    }
  }

  /** A backend that already holds a tid beyond the range (written by an older version). */
  private static final class BeyondTheRange extends ForwardingStorage {
    BeyondTheRange(Storage delegate) {
      super(delegate);
    }

    @Override
    public Tid lastTransaction() {
      return Tid.of(Long.MAX_VALUE);
    }
  }

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void aRaidWhoseBackendsHoldATidBeyondTheRangeServesReadsAndRefusesWritesWithAnAnswer(
      WriteMode mode) {
    MemoryStorage a = MemoryStorage.create("a");
    MemoryStorage b = MemoryStorage.create("b");
    Tid written = Fixture.commit(a, Oid.of(1), Tid.NONE, "old");
    b.restore(RecoveryTest.history(a).get(0));
    try (RaidStorage raid = RaidStorage.builder("legacy").writeMode(mode)
        .backend("a", () -> new BeyondTheRange(a)).backend("b", () -> new BeyondTheRange(b))
        .open()) {
      Revision revision = raid.load(Oid.of(1));
      assertEquals(written, revision.serial());
      assertEquals("old", Fixture.text(raid.loadBefore(Oid.of(1), Tid.of(Long.MAX_VALUE))
          .orElseThrow().data()));
      assertEquals("old", Fixture.text(raid.loadSerial(Oid.of(1), written).data()));
      assertEquals(1, RecoveryTest.history(raid).size());

      assertThrows(IdSpaceExhaustedException.class,
          () -> Fixture.commit(raid, Oid.of(1), written, "new"));

      assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
    }
  }
}
