package org.loomraid.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  @Nested
  class Oids {

    @Test
    void negativeOidIsRefused() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Oid.of(-5));
      assertTrue(e.getMessage().contains("oid") && e.getMessage().contains("-5"), e.getMessage());
    }

    @Test
    void rootIsZeroAndOidsOrderByValue() {
      assertEquals(Oid.of(0), Oid.ROOT);
      assertTrue(Oid.of(1).compareTo(Oid.of(2)) < 0);
      assertEquals(0, Oid.of(9).compareTo(new Oid(9)));
      assertEquals(Oid.of(9).hashCode(), new Oid(9).hashCode());
    }

    @Test
    void toStringIsHex() {
      assertEquals("oid 0x00000000000000ff", Oid.of(255).toString());
    }
  }

  @Nested
  class DataRecords {

    @Test
    void copiesTheArrayOnConstructionAndOnAccess() {
      byte[] data = bytes("abc");
      DataRecord record = new DataRecord(Oid.of(1), data);
      data[0] = 'X';
      assertArrayEquals(bytes("abc"), record.data());
      record.data()[1] = 'Y';
      assertArrayEquals(bytes("abc"), record.data());
      assertNotSame(record.data(), record.data());
      assertEquals(3, record.length());
    }

    @Test
    void equalByContent() {
      DataRecord one = new DataRecord(Oid.of(1), bytes("abc"));
      assertEquals(one, new DataRecord(Oid.of(1), bytes("abc")));
      assertEquals(one.hashCode(), new DataRecord(Oid.of(1), bytes("abc")).hashCode());
      assertNotEquals(one, new DataRecord(Oid.of(2), bytes("abc")));
      assertNotEquals(one, new DataRecord(Oid.of(1), bytes("abd")));
      assertTrue(one.toString().contains("3 bytes"), one.toString());
    }

    @Test
    void refusesNullsAndOversizedData() {
      assertEquals("oid", assertThrows(NullPointerException.class,
          () -> new DataRecord(null, bytes("x"))).getMessage());
      assertEquals("data", assertThrows(NullPointerException.class,
          () -> new DataRecord(Oid.of(1), null)).getMessage());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DataRecord.checkData(new byte[DataRecord.MAX_DATA_LENGTH + 1]));
      assertTrue(e.getMessage().contains(String.valueOf(DataRecord.MAX_DATA_LENGTH)), e.getMessage());
    }

    @Test
    void acceptsDataExactlyAtTheLimit() {
      byte[] max = new byte[DataRecord.MAX_DATA_LENGTH];
      assertEquals(max, DataRecord.checkData(max));
    }
  }

  @Nested
  class Revisions {

    @Test
    void copiesTheArrayAndIsEqualByContent() {
      byte[] data = bytes("rev");
      Revision revision = new Revision(Oid.of(3), Tid.of(10), data);
      data[0] = 'X';
      assertArrayEquals(bytes("rev"), revision.data());
      revision.data()[0] = 'Y';
      assertArrayEquals(bytes("rev"), revision.data());
      assertEquals(revision, new Revision(Oid.of(3), Tid.of(10), bytes("rev")));
      assertEquals(revision.hashCode(), new Revision(Oid.of(3), Tid.of(10), bytes("rev")).hashCode());
      assertNotEquals(revision, new Revision(Oid.of(3), Tid.of(11), bytes("rev")));
      assertEquals(3, revision.length());
    }

    @Test
    void refusesNullsAndSerialNone() {
      assertThrows(NullPointerException.class, () -> new Revision(null, Tid.of(1), bytes("x")));
      assertThrows(IllegalArgumentException.class, () -> new Revision(Oid.of(1), null, bytes("x")));
      assertTrue(assertThrows(IllegalArgumentException.class,
          () -> new Revision(Oid.of(1), Tid.NONE, bytes("x"))).getMessage().contains("serial"));
      assertThrows(NullPointerException.class, () -> new Revision(Oid.of(1), Tid.of(1), null));
    }
  }

  @Nested
  class TransactionRecords {

    @Test
    void refusesAnOidWrittenTwice() {
      List<DataRecord> records = List.of(
          new DataRecord(Oid.of(1), bytes("a")), new DataRecord(Oid.of(1), bytes("b")));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new TransactionRecord(Tid.of(5), TransactionMeta.EMPTY, records));
      assertTrue(e.getMessage().contains(Oid.of(1).toString()), e.getMessage());
    }

    @Test
    void refusesTidNoneAndNulls() {
      assertThrows(IllegalArgumentException.class,
          () -> new TransactionRecord(Tid.NONE, TransactionMeta.EMPTY, List.of()));
      assertThrows(IllegalArgumentException.class,
          () -> new TransactionRecord(null, TransactionMeta.EMPTY, List.of()));
      assertEquals("meta", assertThrows(NullPointerException.class,
          () -> new TransactionRecord(Tid.of(1), null, List.of())).getMessage());
      assertEquals("records", assertThrows(NullPointerException.class,
          () -> new TransactionRecord(Tid.of(1), TransactionMeta.EMPTY, null)).getMessage());
      List<DataRecord> withNull = new ArrayList<>();
      withNull.add(null);
      assertThrows(NullPointerException.class,
          () -> new TransactionRecord(Tid.of(1), TransactionMeta.EMPTY, withNull));
    }

    @Test
    void copiesTheListAndSumsTheData() {
      List<DataRecord> records = new ArrayList<>(List.of(
          new DataRecord(Oid.of(1), bytes("ab")), new DataRecord(Oid.of(2), bytes("cde"))));
      TransactionRecord record = new TransactionRecord(Tid.of(9), TransactionMeta.EMPTY, records);
      records.clear();
      assertEquals(2, record.records().size());
      assertThrows(UnsupportedOperationException.class, () -> record.records().clear());
      assertEquals(5, record.dataLength());
      assertEquals(record, new TransactionRecord(Tid.of(9), TransactionMeta.EMPTY, List.of(
          new DataRecord(Oid.of(1), bytes("ab")), new DataRecord(Oid.of(2), bytes("cde")))));
    }
  }

  @Nested
  class TransactionMetas {

    @Test
    void copiesTheExtensionMap() {
      Map<String, String> extension = new HashMap<>(Map.of("k", "v"));
      TransactionMeta meta = new TransactionMeta("u", "d", extension);
      extension.put("k2", "v2");
      assertEquals(Map.of("k", "v"), meta.extension());
      assertThrows(UnsupportedOperationException.class, () -> meta.extension().put("x", "y"));
      assertEquals(meta, new TransactionMeta("u", "d", Map.of("k", "v")));
    }

    @Test
    void refusesNullsNamingThem() {
      assertEquals("user", assertThrows(NullPointerException.class,
          () -> new TransactionMeta(null, "d", Map.of())).getMessage());
      assertEquals("description", assertThrows(NullPointerException.class,
          () -> new TransactionMeta("u", null, Map.of())).getMessage());
      assertEquals("extension", assertThrows(NullPointerException.class,
          () -> new TransactionMeta("u", "d", null)).getMessage());
      Map<String, String> nullKey = new HashMap<>();
      nullKey.put(null, "v");
      assertThrows(NullPointerException.class, () -> new TransactionMeta("u", "d", nullKey));
      Map<String, String> nullValue = new HashMap<>();
      nullValue.put("k", null);
      assertThrows(NullPointerException.class, () -> new TransactionMeta("u", "d", nullValue));
    }

    @Test
    void emptyAndOfAreAsDocumented() {
      assertEquals(new TransactionMeta("", "", Map.of()), TransactionMeta.EMPTY);
      assertEquals(new TransactionMeta("u", "d", Map.of()), TransactionMeta.of("u", "d"));
    }
  }

  @Nested
  class Stats {

    @Test
    void refusesNegativeCounts() {
      assertThrows(IllegalArgumentException.class, () -> new StorageStats(-1, 0, 0));
      assertThrows(IllegalArgumentException.class, () -> new StorageStats(0, -1, 0));
      assertThrows(IllegalArgumentException.class, () -> new StorageStats(0, 0, -1));
      assertEquals(new StorageStats(1, 2, 3), new StorageStats(1, 2, 3));
    }
  }

  @Nested
  class Exceptions {

    @Test
    void answersAreStorageExceptionsAndFailuresAreNot() {
      assertTrue(StorageException.class.isAssignableFrom(ConflictException.class));
      assertTrue(StorageException.class.isAssignableFrom(ObjectNotFoundException.class));
      assertTrue(StorageException.class.isAssignableFrom(StaleTidException.class));
      assertTrue(StorageException.class.isAssignableFrom(CommitLockTimeoutException.class));
      assertTrue(IllegalStateException.class.isAssignableFrom(StorageClosedException.class));
      assertFalse(StorageException.class.isAssignableFrom(StorageClosedException.class));
      assertFalse(StorageException.class.isAssignableFrom(StorageInterruptedException.class));
      assertFalse(StorageException.class.isAssignableFrom(
          org.loomraid.raid.RaidException.class));
    }

    @Test
    void answersCarryTheirSubjects() {
      ConflictException conflict = new ConflictException(Oid.of(1), Tid.of(2), Tid.of(3));
      assertEquals(Oid.of(1), conflict.oid());
      assertEquals(Tid.of(2), conflict.expectedSerial());
      assertEquals(Tid.of(3), conflict.actualSerial());
      assertTrue(conflict.getMessage().contains(Oid.of(1).toString()));
      ObjectNotFoundException notFound = new ObjectNotFoundException(Oid.of(4));
      assertEquals(Oid.of(4), notFound.oid());
      assertTrue(notFound.getMessage().contains(Oid.of(4).toString()));
      StaleTidException stale = new StaleTidException(Tid.of(5), Tid.of(6));
      assertEquals(Tid.of(5), stale.tid());
      assertEquals(Tid.of(6), stale.lastTransaction());
      assertTrue(new StorageClosedException("s1").getMessage().contains("'s1'"));
    }
  }
}
