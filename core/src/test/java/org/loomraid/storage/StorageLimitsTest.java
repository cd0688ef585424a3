package org.loomraid.storage;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Declared limits, the ends of the id spaces, and how transactions are checked against them. */
class StorageLimitsTest {

  private static final StorageLimits SMALL = new StorageLimits(10, 25, 8);

  /** A transaction that only buffers: the base class does every check. */
  private static final class Buffering extends BufferedTransaction {
    Buffering(TransactionMeta meta, Tid tid, StorageLimits limits) {
      super(meta, tid, limits, "small");
    }

    @Override
    protected void onVote(List<Store> stores) {}

    @Override
    protected Tid onCommit() {
      return Tid.of(1);
    }

    @Override
    protected void onAbort(boolean voted) {}

    List<Store> buffered() {
      return stores();
    }
  }

  @Test
  void limitsRefuseValuesOutOfTheirRangeNamingThem() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new StorageLimits(0, 1, 0))
        .getMessage().contains("maxRecordSize"));
    assertThrows(IllegalArgumentException.class,
        () -> new StorageLimits(DataRecord.MAX_DATA_LENGTH + 1, 1, 0));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new StorageLimits(1, 0, 0))
        .getMessage().contains("maxTransactionSize"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new StorageLimits(1, 1, -1))
        .getMessage().contains("maxMetaSize"));
  }

  @Test
  void strictestTakesTheSmallerOfEachLimit() {
    StorageLimits other = new StorageLimits(20, 5, 100);
    assertEquals(new StorageLimits(10, 5, 8), SMALL.strictest(other));
    assertEquals(SMALL.strictest(other), other.strictest(SMALL));
    assertEquals(SMALL, StorageLimits.DEFAULT.strictest(SMALL));
  }

  @Test
  void aRefusalNamesTheStorageTheLimitTheValueAndTheBound() {
    LimitExceededException e = assertThrows(LimitExceededException.class,
        () -> SMALL.checkRecord(Oid.of(3), 11, "small"));
    assertEquals("maxRecordSize", e.limit());
    assertEquals(11, e.value());
    assertEquals(10, e.bound());
    assertTrue(e.getMessage().contains("'small'") && e.getMessage().contains("maxRecordSize = 10")
        && e.getMessage().contains("11 bytes"), e.getMessage());
    assertDoesNotThrow(() -> SMALL.checkRecord(Oid.of(3), 10, "small"));
  }

  @Test
  void metaSizeCountsUtf8BytesOfEveryField() {
    assertEquals(0, TransactionMeta.EMPTY.byteSize());
    assertEquals(2 + 3 + 1 + 1, new TransactionMeta("ab", "cde", Map.of("k", "v")).byteSize());
    assertEquals(2 + 3 + 4, TransactionMeta.of("\u00e9", "\u20ac\ud83d\ude00").byteSize());
  }

  @Test
  void aTransactionChecksMetaRecordsAndItsRunningTotal() {
    assertThrows(LimitExceededException.class,
        () -> new Buffering(TransactionMeta.of("123456789", ""), Tid.NONE, SMALL));
    Buffering tx = new Buffering(TransactionMeta.of("1234", "5678"), Tid.NONE, SMALL);
    assertThrows(LimitExceededException.class, () -> tx.store(Oid.of(1), Tid.NONE, new byte[11]));
    tx.store(Oid.of(1), Tid.NONE, new byte[10]);
    tx.store(Oid.of(2), Tid.NONE, new byte[10]);
    LimitExceededException total = assertThrows(LimitExceededException.class,
        () -> tx.store(Oid.of(3), Tid.NONE, new byte[6]));
    assertEquals("maxTransactionSize", total.limit());
    assertEquals(26, total.value());
    assertEquals(2, tx.buffered().size(), "the refused store was buffered");
    tx.store(Oid.of(2), Tid.NONE, new byte[1]);
    tx.store(Oid.of(3), Tid.NONE, new byte[10]);
    assertEquals(3, tx.buffered().size(), "replacing a store frees its bytes");
  }

  @Test
  void aTransactionRefusesIdsAboveTheRanges() {
    assertThrows(IllegalArgumentException.class,
        () -> new Buffering(TransactionMeta.EMPTY, Tid.MAX.next(), SMALL));
    Buffering tx = new Buffering(TransactionMeta.EMPTY, Tid.MAX, SMALL);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> tx.store(Oid.of(Oid.MAX.value() + 1), Tid.NONE, new byte[1]));
    assertTrue(e.getMessage().contains("Oid.MAX"), e.getMessage());
    tx.store(Oid.MAX, Tid.NONE, new byte[1]);
  }

  @Test
  void restoredRecordsAreCheckedWhole() {
    TransactionRecord tooMany = new TransactionRecord(Tid.of(5), TransactionMeta.EMPTY,
        List.of(new DataRecord(Oid.of(1), new byte[10]), new DataRecord(Oid.of(2), new byte[10]),
            new DataRecord(Oid.of(3), new byte[10])));
    assertEquals("maxTransactionSize", assertThrows(LimitExceededException.class,
        () -> SMALL.check(tooMany, "small")).limit());
    assertThrows(IllegalArgumentException.class, () -> SMALL.check(new TransactionRecord(
        Tid.of(Long.MAX_VALUE), TransactionMeta.EMPTY, List.of()), "small"));
    assertThrows(IllegalArgumentException.class, () -> SMALL.check(new TransactionRecord(Tid.of(5),
        TransactionMeta.EMPTY, List.of(new DataRecord(Oid.of(Long.MAX_VALUE), new byte[1]))),
        "small"));
  }

  @Test
  void theIdRangesEndFarBeyondAnyClockAndBelowOverflow() {
    assertEquals(Instant.parse("9999-12-31T23:59:59.999999Z"), Tid.MAX.instant());
    assertTrue(Tid.MAX.isInRange());
    assertTrue(!Tid.MAX.next().isInRange());
    assertEquals(Tid.MAX, Tid.checkInRange(Tid.MAX, "tid"));
    assertEquals((1L << 62) - 1, Oid.MAX.value());
    assertTrue(Tid.of(Long.MAX_VALUE).toString().contains("7fffffffffffffff"),
        "a tid beyond the range still prints");
    assertEquals(Oid.of(5), Oid.after(4, "s"));
    IdSpaceExhaustedException e = assertThrows(IdSpaceExhaustedException.class,
        () -> Oid.after(Oid.MAX.value(), "s"));
    assertTrue(e.getMessage().contains("'s'"), e.getMessage());
  }

  @Test
  void theGeneratorNeverPassesTheLastTid() {
    TidGenerator farFuture = TidGenerator.withClock(InstantSource.fixed(Instant.MAX));
    assertEquals(Tid.MAX, farFuture.next(Tid.NONE), "a clock beyond the range gives Tid.MAX");
    TidGenerator now = TidGenerator.system();
    assertEquals(Tid.MAX, now.next(Tid.of(Tid.MAX.value() - 1)));
    assertThrows(IdSpaceExhaustedException.class, () -> now.next(Tid.MAX));
    assertThrows(IdSpaceExhaustedException.class, () -> now.next(Tid.of(Long.MAX_VALUE)),
        "a storage that somehow holds a tid beyond the range answers, never overflows");
  }
}
