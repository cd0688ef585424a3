package org.loomraid.backends.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.raid.RaidStatus;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.RecoveryHandle;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * Recovery copies a history between the two kinds: from a file storage onto an empty PostgreSQL
 * storage, then from that database onto an empty file storage, and each copy ends identical.
 */
@Timeout(120)
class PostgresRecoveryTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path root;

  @Test
  void recoveryCopiesAFileStorageOntoADatabaseAndBack() throws Exception {
    Path original = Files.createDirectories(root.resolve("original"));
    Path copy = Files.createDirectories(root.resolve("copy"));
    String schema = TestDatabases.freshSchema();
    List<TransactionRecord> expected;
    try (RaidStorage raid = RaidStorage.builder("copies")
        .backend("original", () -> FileStorage.open(original))
        .open()) {
      commitHistory(raid);
      raid.admin().add("database", () -> PostgresStorage.builder(TestDatabases.pool("postgres"))
          .name("database").schema(schema).open());
      recover(raid, "database");

      raid.admin().disable("original"); // the database is now the only source
      raid.admin().add("copy", () -> FileStorage.open(copy));
      recover(raid, "copy");
      commitHistory(raid); // lands on the database and the copy; the original lags
      recover(raid, "original");
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      expected = history(raid);
    }
    try (Storage file = FileStorage.open(original);
        Storage database = PostgresStorage.builder(TestDatabases.pool("postgres"))
            .schema(schema).open();
        Storage fileCopy = FileStorage.open(copy)) {
      assertEquals(expected, history(file));
      assertEquals(expected, history(database), "file storage copied onto the database");
      assertEquals(expected, history(fileCopy), "database copied onto a file storage");
      assertEquals(file.stats(), database.stats());
      assertEquals(file.stats(), fileCopy.stats());
    }
  }

  private static void recover(RaidStorage raid, String backend) throws InterruptedException {
    RecoveryHandle handle = raid.admin().recover(backend);
    assertTrue(handle.await(PATIENCE), "recovery did not end: " + handle.progress());
    assertTrue(raid.backends().stream().anyMatch(b -> b.name().equals(backend)
        && b.state() == org.loomraid.raid.BackendState.OPTIMAL), raid.backends().toString());
  }

  /** Twenty transactions over five objects, with metadata, and one storing nothing. */
  private static void commitHistory(Storage storage) {
    List<Oid> oids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      oids.add(storage.newOid());
    }
    for (int t = 0; t < 20; t++) {
      try (StorageTransaction tx = storage.begin(new TransactionMeta("user" + t, "transaction " + t,
          Map.of("t", Integer.toString(t))))) {
        for (int k = 0; k <= t % 3; k++) {
          Oid oid = oids.get((t + k) % oids.size());
          tx.store(oid, serialOf(storage, oid), ("t" + t + "k" + k).getBytes(StandardCharsets.UTF_8));
        }
        tx.vote();
        tx.commit();
      }
    }
    try (StorageTransaction empty = storage.begin(TransactionMeta.of("user", "stores nothing"))) {
      empty.vote();
      empty.commit();
    }
  }

  private static Tid serialOf(Storage storage, Oid oid) {
    try {
      return storage.load(oid).serial();
    } catch (org.loomraid.storage.ObjectNotFoundException e) {
      return Tid.NONE;
    }
  }

  private static List<TransactionRecord> history(Storage storage) {
    List<TransactionRecord> all = new ArrayList<>();
    try (TransactionIterator it = storage.transactions(Tid.NONE)) {
      it.forEachRemaining(all::add);
    }
    return all;
  }
}
