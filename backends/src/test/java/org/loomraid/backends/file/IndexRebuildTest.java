package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/** Open rebuilds the index by reading the whole log: it must be correct and fast. */
class IndexRebuildTest {

  private static final int TRANSACTIONS = 20_000;
  private static final int OBJECTS = 5_000;

  @TempDir Path dir;

  @Test
  void reopeningRebuildsTheIndexOfTwentyThousandTransactions() throws Exception {
    Map<Oid, byte[]> latest = new LinkedHashMap<>();
    Random random = new Random(11);
    try (FileStorage storage = Fixtures.openFast(dir)) {
      for (int i = 0; i < TRANSACTIONS; i++) {
        try (StorageTransaction tx = storage.begin(TransactionMeta.of("bulk", "tx " + i))) {
          int first = random.nextInt(OBJECTS);
          for (int r = 0; r < 2; r++) {
            Oid oid = Oid.of((first + r) % OBJECTS);
            byte[] data = new byte[100 + random.nextInt(200)];
            random.nextBytes(data);
            byte[] previous = latest.get(oid);
            tx.store(oid, previous == null ? Tid.NONE : storage.load(oid).serial(), data);
            latest.put(oid, data);
          }
          tx.vote();
          tx.commit();
        }
      }
    }
    long bytes = Files.size(Fixtures.logOf(dir));
    long started = System.nanoTime();
    FileStorage reopened = Fixtures.openFast(dir);
    long nanos = System.nanoTime() - started;
    try {
      assertEquals(TRANSACTIONS, reopened.stats().transactions());
      assertEquals(latest.size(), reopened.stats().objects());
      for (Map.Entry<Oid, byte[]> entry : latest.entrySet()) {
        assertArrayEquals(entry.getValue(), reopened.load(entry.getKey()).data());
      }
    } finally {
      reopened.close();
    }
    double seconds = nanos / 1e9;
    System.out.printf("index rebuild: %d transactions, %.1f MB in %.0f ms (%.0f MB/s, %.0f transactions/s)%n",
        TRANSACTIONS, bytes / 1e6, seconds * 1000, bytes / 1e6 / seconds, TRANSACTIONS / seconds);
    assertTrue(seconds < 60, "rebuilding took " + seconds + " s");
  }
}
