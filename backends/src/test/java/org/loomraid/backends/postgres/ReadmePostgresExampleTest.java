package org.loomraid.backends.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.raid.RaidStatus;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/** The README's PostgreSQL example, kept here so it compiles and runs with every build. */
class ReadmePostgresExampleTest {

  @Test
  void readmePostgresExampleWorks(@TempDir Path dir) {
    TestDatabases.pool("raid_a"); // two databases that exist, as they would on two servers
    TestDatabases.pool("raid_b");
    String urlA = TestDatabases.url("raid_a");
    String urlB = TestDatabases.url("raid_b");
    String password = "";
    // --- README example starts ---
    try (RaidStorage raid = RaidStorage.builder("orders")
        .backend("pg-a", () -> PostgresStorage.builder(urlA)   // jdbc:postgresql://db-a:5432/orders
            .credentials("postgres", password).open())          // schema "loomraid", made on first open
        .backend("pg-b", () -> PostgresStorage.builder(urlB)
            .credentials("postgres", password).open())
        .backend("disk", () -> FileStorage.open(dir))            // mix in a local file storage
        .callTimeout(Duration.ofSeconds(5))
        .open()) {
      Oid oid = raid.newOid();
      try (StorageTransaction tx = raid.begin(TransactionMeta.of("alice", "first order"))) {
        tx.store(oid, Tid.NONE, "order 1".getBytes(StandardCharsets.UTF_8));
        tx.vote();                       // each database: PREPARE TRANSACTION, in parallel
        tx.commit();                     // each database: COMMIT PREPARED
      }
      // --- README example ends ---
      assertArrayEquals("order 1".getBytes(StandardCharsets.UTF_8), raid.load(oid).data());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }
}
