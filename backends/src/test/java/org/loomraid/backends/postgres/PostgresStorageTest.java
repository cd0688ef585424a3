package org.loomraid.backends.postgres;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/** What the contract suite cannot know: settings, the schema, the server, locks, interrupts. */
@Timeout(60)
class PostgresStorageTest {

  private static final TransactionMeta META = TransactionMeta.of("test", "postgres storage test");

  private static PostgresStorage open(String schema) {
    return PostgresStorage.builder(TestDatabases.pool("postgres")).schema(schema).open();
  }

  private static Tid write(PostgresStorage storage, Oid oid, Tid serial, String data) {
    try (StorageTransaction tx = storage.begin(META)) {
      tx.store(oid, serial, data.getBytes(StandardCharsets.UTF_8));
      tx.vote();
      return tx.commit();
    }
  }

  private static List<TransactionRecord> history(PostgresStorage storage) {
    List<TransactionRecord> all = new ArrayList<>();
    try (TransactionIterator it = storage.transactions(Tid.NONE)) {
      it.forEachRemaining(all::add);
    }
    return all;
  }

  private static void assertRefused(Class<? extends RuntimeException> type, String named,
      Executable call) {
    RuntimeException e = assertThrows(type, call);
    assertTrue(e.getMessage().contains(named), "message does not name " + named + ": " + e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // Settings

  @Test
  void builderRefusesBadSettingsNamingThem() {
    PostgresStorage.Builder builder = PostgresStorage.builder(TestDatabases.pool("postgres"));
    for (String bad : new String[] {"Upper", "1st", "with-dash", "x".repeat(64), "", "a;b"}) {
      assertRefused(IllegalArgumentException.class, "schema", () -> builder.schema(bad));
    }
    assertRefused(IllegalArgumentException.class, "schema", () -> builder.schema(null));
    assertRefused(IllegalArgumentException.class, "commitLockTimeout",
        () -> builder.commitLockTimeout(Duration.ZERO));
    assertRefused(IllegalArgumentException.class, "commitLockTimeout",
        () -> builder.commitLockTimeout(Duration.ofMillis(-1)));
    assertRefused(IllegalArgumentException.class, "commitLockTimeout",
        () -> builder.commitLockTimeout(Duration.ofDays(30)));
    assertRefused(IllegalArgumentException.class, "maxTransactionSize",
        () -> builder.limits(PostgresStorage.MAX_LIMITS.withMaxTransactionSize(1L << 31)));
    assertRefused(IllegalArgumentException.class, "maxMetaSize",
        () -> builder.limits(PostgresStorage.MAX_LIMITS.withMaxMetaSize(Integer.MAX_VALUE)));
    assertRefused(IllegalArgumentException.class, "fetchSize", () -> builder.fetchSize(0));
    assertRefused(IllegalArgumentException.class, "packBatchSize", () -> builder.packBatchSize(0));
    assertRefused(IllegalArgumentException.class, "name", () -> builder.name(" "));
    assertRefused(IllegalStateException.class, "poolSize", () -> builder.poolSize(4));
    assertRefused(IllegalStateException.class, "credentials", () -> builder.credentials("u", "p"));
    assertRefused(IllegalArgumentException.class, "jdbcUrl",
        () -> PostgresStorage.builder("jdbc:mysql://host/db?password=secret"));
    IllegalArgumentException redacted = assertThrows(IllegalArgumentException.class,
        () -> PostgresStorage.builder("jdbc:mysql://host/db?password=secret"));
    assertFalse(redacted.getMessage().contains("secret"), redacted.getMessage());
    PostgresStorage.Builder fromUrl = PostgresStorage.builder(TestDatabases.url("postgres"));
    assertRefused(IllegalArgumentException.class, "poolSize", () -> fromUrl.poolSize(1));
    assertRefused(IllegalArgumentException.class, "user", () -> fromUrl.credentials(" ", "p"));
  }

  @Test
  void aStorageFromAJdbcUrlMakesItsOwnPoolAndClosesIt() throws SQLException {
    String schema = TestDatabases.freshSchema();
    String name = "own-pool-" + schema;
    Tid tid;
    try (PostgresStorage storage = PostgresStorage.builder(TestDatabases.url("postgres"))
        .credentials("postgres", "").poolSize(2).name(name).schema(schema).open()) {
      tid = write(storage, storage.newOid(), Tid.NONE, "v1");
      assertTrue(sessionsOf("loomraid " + name) >= 1);
      assertTrue(storage.toString().contains(schema), storage.toString());
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> sessionsOf("loomraid " + name) == 0);
    try (PostgresStorage reopened = open(schema)) {
      assertEquals(tid, reopened.lastTransaction());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The schema

  @Test
  void aSchemaOfANewerVersionIsRefusedAndLeftAsItWas() {
    String schema = TestDatabases.freshSchema();
    Tid tid;
    try (PostgresStorage storage = open(schema)) {
      tid = write(storage, storage.newOid(), Tid.NONE, "kept");
    }
    TestDatabases.execute("postgres", "UPDATE " + schema + ".schema_version SET version = 7");
    PostgresSchemaException e = assertThrows(PostgresSchemaException.class, () -> open(schema));
    assertTrue(e.getMessage().contains("version 7") && e.getMessage().contains("newer"),
        e.getMessage());
    TestDatabases.execute("postgres", "UPDATE " + schema + ".schema_version SET version = 1");
    try (PostgresStorage storage = open(schema)) {
      assertEquals(tid, storage.lastTransaction());
      assertEquals(1, history(storage).size());
    }
  }

  @Test
  void aSchemaHoldingOtherTablesIsRefusedAndLeftAsItWas() throws SQLException {
    String schema = TestDatabases.freshSchema();
    TestDatabases.execute("postgres", "CREATE SCHEMA " + schema + "; CREATE TABLE " + schema
        + ".customers (id int)");
    PostgresSchemaException e = assertThrows(PostgresSchemaException.class, () -> open(schema));
    assertTrue(e.getMessage().contains("not a loomraid storage"), e.getMessage());
    assertEquals(List.of("customers"), tablesOf(schema));
  }

  @Test
  void anEmptySchemaIsTakenAndADamagedOneRefused() throws SQLException {
    String schema = TestDatabases.freshSchema();
    TestDatabases.execute("postgres", "CREATE SCHEMA " + schema);
    try (PostgresStorage storage = open(schema)) {
      write(storage, storage.newOid(), Tid.NONE, "v1");
    }
    assertEquals(List.of("oid_counter", "revisions", "schema_version", "state", "transactions"),
        tablesOf(schema));
    TestDatabases.execute("postgres", "DROP TABLE " + schema + ".oid_counter");
    PostgresSchemaException e = assertThrows(PostgresSchemaException.class, () -> open(schema));
    assertTrue(e.getMessage().contains("oid_counter") && e.getMessage().contains("damaged"),
        e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // Users and servers it cannot write with

  @Test
  void aUserWhoMayOnlyReadIsRefusedAtOpenNamingWhatIsMissing() throws SQLException {
    String schema = TestDatabases.freshSchema();
    List<TransactionRecord> before;
    try (PostgresStorage storage = open(schema)) {
      write(storage, storage.newOid(), Tid.NONE, "v1");
      before = history(storage);
    }
    String reader = "reader_" + schema;
    TestDatabases.execute("postgres", "CREATE ROLE " + reader + " LOGIN; GRANT USAGE ON SCHEMA "
        + schema + " TO " + reader + "; GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO "
        + reader);
    PostgresStorageException e = assertThrows(PostgresStorageException.class,
        () -> PostgresStorage.builder(TestDatabases.url("postgres")).credentials(reader, "")
            .schema(schema).open());
    assertTrue(e.getMessage().contains("INSERT on " + schema + ".revisions")
        && e.getMessage().contains("UPDATE on " + schema + ".state")
        && e.getMessage().contains("DELETE on " + schema + ".revisions"), e.getMessage());
    assertEquals("42501", e.sqlState());
    try (PostgresStorage storage = open(schema)) {
      assertEquals(before, history(storage), "the refused open changed the storage");
    }
  }

  @Test
  void aUserWhoseSessionsAreReadOnlyOrWhoMayNotCreateIsRefusedAndNothingIsCreated()
      throws SQLException {
    String schema = TestDatabases.freshSchema();
    String readOnly = "ro_" + schema;
    TestDatabases.execute("postgres", "CREATE ROLE " + readOnly + " LOGIN;"
        + " ALTER ROLE " + readOnly + " SET default_transaction_read_only = on");
    PostgresStorageException e = assertThrows(PostgresStorageException.class,
        () -> PostgresStorage.builder(TestDatabases.url("postgres")).credentials(readOnly, "")
            .schema(schema).open());
    assertTrue(e.getMessage().contains("read-only"), e.getMessage());

    String plain = "plain_" + schema;
    TestDatabases.execute("postgres", "CREATE ROLE " + plain + " LOGIN");
    e = assertThrows(PostgresStorageException.class,
        () -> PostgresStorage.builder(TestDatabases.url("postgres")).credentials(plain, "")
            .schema(schema).open());
    assertTrue(e.getMessage().contains("cannot create the schema '" + schema + "'"), e.getMessage());
    assertFalse(schemaExists(schema), "a refused open left the schema behind");
  }

  @Test
  void aServerThatCannotPrepareTransactionsIsRefusedSayingWhatToSet(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path root) {
    try (DedicatedServer server = DedicatedServer.start(root.resolve("pgdata"),
        Map.of("max_prepared_transactions", "0"))) {
      PostgresStorageException e = assertThrows(PostgresStorageException.class,
          () -> PostgresStorage.builder(server.url("postgres")).credentials("postgres", "")
              .schema("loomraid").open());
      assertTrue(e.getMessage().contains("max_prepared_transactions = 0")
          && e.getMessage().contains("set max_prepared_transactions"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Limits and data

  @Test
  void aRecordOfTheLargestSizeRoundTripsAndOneByteMoreIsRefused() {
    try (PostgresStorage storage = open(TestDatabases.freshSchema())) {
      assertEquals(PostgresStorage.MAX_LIMITS, storage.limits());
      byte[] data = new byte[DataRecord.MAX_DATA_LENGTH];
      new Random(13).nextBytes(data);
      Oid oid = storage.newOid();
      try (StorageTransaction tx = storage.begin(META)) {
        assertThrows(IllegalArgumentException.class,
            () -> tx.store(oid, Tid.NONE, new byte[DataRecord.MAX_DATA_LENGTH + 1]));
        tx.store(oid, Tid.NONE, data);
        tx.vote();
        tx.commit();
      }
      assertArrayEquals(data, storage.load(oid).data());
      assertEquals(new StorageStats(1, 1, data.length), storage.stats());
    }
  }

  @Test
  void metadataThatPostgresTextRefusesRoundTripsExactly() {
    TransactionMeta meta = new TransactionMeta("nul\u0000user", "lone \uD800 surrogate \uDC00",
        Map.of("\u0000", "é€😀", "k", ""));
    try (PostgresStorage storage = open(TestDatabases.freshSchema())) {
      try (StorageTransaction tx = storage.begin(meta)) {
        tx.store(storage.newOid(), Tid.NONE, new byte[0]);
        tx.vote();
        tx.commit();
      }
      assertEquals(meta, history(storage).get(0).meta());
    }
  }

  @Test
  void packInSmallStepsDropsExactlyTheRevisionsNoLongerNeeded() {
    try (PostgresStorage storage = PostgresStorage.builder(TestDatabases.pool("postgres"))
        .schema(TestDatabases.freshSchema()).packBatchSize(2).open()) {
      List<Oid> oids = new ArrayList<>();
      List<List<Tid>> serials = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        oids.add(storage.newOid());
        serials.add(new ArrayList<>());
      }
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < oids.size(); i++) {
          List<Tid> mine = serials.get(i);
          mine.add(write(storage, oids.get(i), mine.isEmpty() ? Tid.NONE : mine.getLast(),
              "r" + round));
        }
      }
      Tid before = serials.get(0).get(3); // object 0 keeps its last revision only
      storage.pack(before);
      long bytes = 0;
      for (int i = 0; i < oids.size(); i++) {
        for (int round = 0; round < 4; round++) {
          Tid serial = serials.get(i).get(round);
          boolean kept = !serial.isBefore(before) || round == 3
              || serials.get(i).get(round + 1).compareTo(before) >= 0;
          Oid oid = oids.get(i);
          if (kept) {
            assertEquals("r" + round, new String(storage.loadSerial(oid, serial).data(),
                StandardCharsets.UTF_8));
            bytes += 2;
          } else {
            assertThrows(ObjectNotFoundException.class, () -> storage.loadSerial(oid, serial));
          }
        }
      }
      assertEquals(new StorageStats(5, 20, bytes), storage.stats());
      assertEquals(20, history(storage).size());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The commit lock and prepared transactions

  @Test
  void theCommitLockIsHeldByThePreparedTransactionAcrossInstancesAndWaitsAreBounded() {
    String schema = TestDatabases.freshSchema();
    try (PostgresStorage first = open(schema);
        PostgresStorage second = PostgresStorage.builder(TestDatabases.pool("postgres"))
            .schema(schema).commitLockTimeout(Duration.ofMillis(300)).open()) {
      Oid a = first.newOid();
      Oid b = second.newOid();
      StorageTransaction voted = first.begin(META);
      voted.store(a, Tid.NONE, "first".getBytes(StandardCharsets.UTF_8));
      voted.vote();
      try (CapturedWarnings warnings = new CapturedWarnings(OwnerLock.class)) {
        StorageTransaction waiting = second.begin(META);
        waiting.store(b, Tid.NONE, "second".getBytes(StandardCharsets.UTF_8));
        CommitLockTimeoutException timeout =
            assertThrows(CommitLockTimeoutException.class, waiting::vote);
        assertTrue(timeout.getMessage().contains("PT0.3S"), timeout.getMessage());
        try (PostgresStorage third = open(schema)) {
          assertEquals(Tid.NONE, third.lastTransaction(), "a prepared transaction is visible");
        }
        assertEquals(List.of(), warnings.lines(), "a live writer's transaction was touched");
      }
      Tid tid = voted.commit();
      assertEquals(tid, second.lastTransaction());
      assertThrows(ObjectNotFoundException.class, () -> second.load(b));
      Tid after = write(second, b, Tid.NONE, "second");
      assertTrue(after.isAfter(tid));
    }
  }

  @Test
  void beginChecksTheTidAgainstWhatTheInstanceSawAndTheVoteAgainstTheDatabase() {
    String schema = TestDatabases.freshSchema();
    try (PostgresStorage first = open(schema)) {
      Tid before = write(first, first.newOid(), Tid.NONE, "before");
      try (PostgresStorage second = open(schema)) {
        assertThrows(StaleTidException.class, () -> second.begin(META, before),
            "the last tid at open is known");
        Tid after = write(first, first.newOid(), Tid.NONE, "after");

        // The second instance has not seen that commit: begin cannot tell, the vote does.
        StorageTransaction stale = second.begin(META, after);
        stale.store(second.newOid(), Tid.NONE, "stale".getBytes(StandardCharsets.UTF_8));
        StaleTidException atVote = assertThrows(StaleTidException.class, stale::vote);
        assertEquals(after, atVote.lastTransaction());
        assertThrows(StaleTidException.class, () -> second.begin(META, after),
            "a vote's read of the last tid is remembered");
        assertEquals(after, second.lastTransaction());
        assertThrows(StaleTidException.class, () -> first.begin(META, after),
            "an instance's own commit is remembered");
      }
    }
  }

  @Test
  void anInterruptedVoteWaitingForTheLockLeavesNoTraceAndAHealthyPool() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(TestDatabases.url("postgres"));
    config.setUsername("postgres");
    config.setMaximumPoolSize(4);
    try (HikariDataSource pool = new HikariDataSource(config);
        PostgresStorage storage = PostgresStorage.builder(pool)
            .schema(TestDatabases.freshSchema()).open()) {
      Oid a = storage.newOid();
      Oid b = storage.newOid();
      StorageTransaction holder = storage.begin(META);
      holder.store(a, Tid.NONE, "holder".getBytes(StandardCharsets.UTF_8));
      holder.vote();
      AtomicReference<Throwable> outcome = new AtomicReference<>();
      AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
      Thread waiter = Thread.ofVirtual().name("interrupted-voter").start(() -> {
        try (StorageTransaction tx = storage.begin(META)) {
          tx.store(b, Tid.NONE, "waiter".getBytes(StandardCharsets.UTF_8));
          tx.vote();
          outcome.set(new AssertionError("the vote went through"));
        } catch (RuntimeException e) {
          outcome.set(e);
        }
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      });
      await().atMost(Duration.ofSeconds(20)).until(() -> lockWaiters() > 0);
      waiter.interrupt();
      waiter.join(Duration.ofSeconds(20));
      assertTrue(outcome.get() instanceof StorageInterruptedException, "got " + outcome.get());
      assertTrue(stillInterrupted.get(), "the interrupt status was lost");
      Tid tid = holder.commit();
      assertEquals(tid, storage.lastTransaction());
      assertThrows(ObjectNotFoundException.class, () -> storage.load(b));
      await().atMost(Duration.ofSeconds(20)).until(() -> lockWaiters() == 0);
      assertEquals(List.of(), OrphanedPreparedTransactionTest.preparedOf(storage.schema()));
      // The broken connection was dropped: every connection the pool hands out works.
      for (int i = 0; i < 8; i++) {
        write(storage, storage.newOid(), Tid.NONE, "after " + i);
      }
      await().atMost(Duration.ofSeconds(20))
          .until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 1); // the owner's
    }
  }

  @Test
  void aCommitOnAnInterruptedThreadStillCommitsAndKeepsTheInterrupt() throws Exception {
    try (PostgresStorage storage = open(TestDatabases.freshSchema())) {
      Oid oid = storage.newOid();
      StorageTransaction tx = storage.begin(META);
      tx.store(oid, Tid.NONE, "v1".getBytes(StandardCharsets.UTF_8));
      tx.vote();
      AtomicReference<Object> outcome = new AtomicReference<>();
      AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
      Thread committer = Thread.ofVirtual().name("interrupted-committer").start(() -> {
        Thread.currentThread().interrupt();
        try {
          outcome.set(tx.commit());
        } catch (RuntimeException e) {
          outcome.set(e);
        }
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      });
      committer.join(Duration.ofSeconds(30));
      assertTrue(outcome.get() instanceof Tid, "commit gave " + outcome.get());
      assertTrue(stillInterrupted.get());
      assertEquals(outcome.get(), storage.lastTransaction());
      assertEquals(List.of(), OrphanedPreparedTransactionTest.preparedOf(storage.schema()));
    }
  }

  @Test
  void anOpenIteratorHoldsOneConnectionUntilClosedOrExhausted() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(TestDatabases.url("postgres"));
    config.setUsername("postgres");
    config.setMaximumPoolSize(4);
    try (HikariDataSource pool = new HikariDataSource(config);
        PostgresStorage storage = PostgresStorage.builder(pool).fetchSize(1)
            .schema(TestDatabases.freshSchema()).open()) {
      Oid oid = storage.newOid();
      Tid serial = Tid.NONE;
      for (int i = 0; i < 5; i++) {
        serial = write(storage, oid, serial, "v" + i);
      }
      try (TransactionIterator it = storage.transactions(Tid.NONE)) {
        it.next();
        it.next();
        assertEquals(2, pool.getHikariPoolMXBean().getActiveConnections());
      }
      assertEquals(1, pool.getHikariPoolMXBean().getActiveConnections());
      TransactionIterator all = storage.transactions(Tid.NONE);
      int count = 0;
      while (all.hasNext()) {
        all.next();
        count++;
      }
      assertEquals(5, count);
      assertEquals(1, pool.getHikariPoolMXBean().getActiveConnections());
      TransactionIterator abandoned = storage.transactions(Tid.NONE);
      abandoned.next();
      storage.close();
      assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections(),
          "close did not end the open iterator and the owner connection");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static long lockWaiters() throws SQLException {
    return count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        + " AND query LIKE '%FOR UPDATE%'");
  }

  private static long sessionsOf(String application) throws SQLException {
    try (Connection c = TestDatabases.pool("postgres").getConnection();
        PreparedStatement query = c.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
      query.setString(1, application);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private static boolean schemaExists(String schema) throws SQLException {
    return count("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'") > 0;
  }

  private static List<String> tablesOf(String schema) throws SQLException {
    try (Connection c = TestDatabases.pool("postgres").getConnection();
        PreparedStatement query = c.prepareStatement("SELECT tablename FROM pg_tables"
            + " WHERE schemaname = ? ORDER BY tablename")) {
      query.setString(1, schema);
      List<String> tables = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
      return tables;
    }
  }

  private static long count(String sql) throws SQLException {
    try (Connection c = TestDatabases.pool("postgres").getConnection();
        PreparedStatement query = c.prepareStatement(sql);
        ResultSet row = query.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

}
