package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.loomraid.backends.file.Fixtures.assertSameHistory;
import static org.loomraid.backends.file.Fixtures.history;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * Random commits, restores, packs and reopens, checked after every step against a model of the
 * history built from what the test itself committed.
 */
class RandomHistoryTest {

  private static final int STEPS = 250;
  private static final int OIDS = 15;

  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void everyStepMatchesTheModel(long seed) {
    Random random = new Random(seed);
    List<TransactionRecord> committed = new ArrayList<>();
    HistoryModel model = new HistoryModel(committed);
    FileStorage storage = Fixtures.openFast(dir);
    try {
      for (int step = 0; step < STEPS; step++) {
        int action = random.nextInt(100);
        if (action < 75) {
          committed.add(commitRandom(storage, model, random));
          model = new HistoryModel(committed);
        } else if (action < 82) {
          TransactionRecord record = randomRecord(storage.lastTransaction().next().next(), random);
          storage.restore(record);
          committed.add(record);
          model = new HistoryModel(committed);
        } else if (action < 90 && !committed.isEmpty()) {
          Tid before = committed.get(random.nextInt(committed.size())).tid();
          storage.pack(before);
          model = model.packed(before);
          committed = new ArrayList<>(model.history());
        } else {
          storage.close();
          storage = Fixtures.openFast(dir);
        }
        check(model, storage, random, "seed " + seed + " step " + step);
      }
    } finally {
      storage.close();
    }
  }

  private static TransactionRecord commitRandom(FileStorage storage, HistoryModel model, Random random) {
    Map<Oid, byte[]> writes = new LinkedHashMap<>();
    for (int i = 1 + random.nextInt(3); i > 0; i--) {
      writes.put(Oid.of(random.nextInt(OIDS)), data(random));
    }
    TransactionMeta meta = TransactionMeta.of("u" + random.nextInt(5), "d" + random.nextInt(1000));
    try (StorageTransaction tx = storage.begin(meta)) {
      List<DataRecord> records = new ArrayList<>();
      for (Map.Entry<Oid, byte[]> write : writes.entrySet()) {
        Tid serial = model.oids().contains(write.getKey()) ? model.load(write.getKey()).serial() : Tid.NONE;
        tx.store(write.getKey(), serial, write.getValue());
        records.add(new DataRecord(write.getKey(), write.getValue()));
      }
      tx.vote();
      return new TransactionRecord(tx.commit(), meta, records);
    }
  }

  private static TransactionRecord randomRecord(Tid tid, Random random) {
    List<DataRecord> records = new ArrayList<>();
    int first = random.nextInt(OIDS);
    records.add(new DataRecord(Oid.of(first), data(random)));
    if (random.nextBoolean()) {
      records.add(new DataRecord(Oid.of((first + 1) % OIDS), data(random)));
    }
    return new TransactionRecord(tid, TransactionMeta.of("restore", ""), records);
  }

  private static byte[] data(Random random) {
    byte[] data = new byte[random.nextInt(10) == 0 ? random.nextInt(20_000) : random.nextInt(200)];
    random.nextBytes(data);
    return data;
  }

  private static void check(HistoryModel model, FileStorage storage, Random random, String where) {
    assertSameHistory(model.history(), history(storage));
    assertEquals(model.stats(), storage.stats(), where);
    List<TransactionRecord> transactions = model.history();
    for (int i = 0; i < OIDS; i++) {
      Oid oid = Oid.of(i);
      if (!model.oids().contains(oid)) {
        assertEquals("not found", outcome(() -> storage.load(oid)), where);
        continue;
      }
      assertEquals(model.load(oid), storage.load(oid), where);
      if (transactions.isEmpty()) {
        continue;
      }
      Tid tid = transactions.get(random.nextInt(transactions.size())).tid();
      assertEquals(model.loadBefore(oid, tid), storage.loadBefore(oid, tid), where + " " + oid + " before " + tid);
      assertEquals(outcome(() -> model.loadSerial(oid, tid)), outcome(() -> storage.loadSerial(oid, tid)),
          where + " " + oid + " serial " + tid);
    }
  }

  private static Object outcome(java.util.function.Supplier<?> read) {
    try {
      return read.get();
    } catch (ObjectNotFoundException e) {
      return "not found";
    }
  }
}
