package org.loomraid.backends.postgres;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * A writer killed between vote and commit (a child JVM, SIGKILL) leaves a prepared transaction that
 * holds the commit lock. It is rolled back, with one WARN line, by the next storage that opens the
 * schema, or by a storage already open whose vote runs into the lock timeout; never while its
 * writer lives.
 */
@Timeout(120)
class OrphanedPreparedTransactionTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @Test
  void anOrphanIsRolledBackWhenTheNextStorageOpens() throws Exception {
    String schema = TestDatabases.freshSchema();
    Tid committed;
    try (PostgresStorage before = open(schema, Duration.ofSeconds(30))) {
      committed = write(before, Oid.of(1), "committed");
    }
    killWriterBetweenVoteAndCommit(schema, 2);
    assertEquals(1, preparedOf(schema).size(), "the killed writer's prepared transaction");

    try (CapturedWarnings warnings = new CapturedWarnings(OwnerLock.class);
        PostgresStorage reopened = open(schema, Duration.ofSeconds(30))) {
      assertEquals(List.of(), preparedOf(schema), "the orphan survived the open");
      List<String> lines = warnings.lines();
      assertEquals(1, lines.size(), "one WARN line per orphan: " + lines);
      assertTrue(lines.get(0).contains("rolled back the prepared transaction loomraid/")
          && lines.get(0).contains("between vote and commit"), lines.get(0));
      assertEquals(committed, reopened.lastTransaction());
      assertThrows(ObjectNotFoundException.class, () -> reopened.load(Oid.of(2)));
      Tid next = write(reopened, Oid.of(3), "after");
      assertTrue(next.isAfter(committed));
    }
  }

  @Test
  void anOpenStorageWhoseVoteMeetsAnOrphanRollsItBackAndCommits() throws Exception {
    String schema = TestDatabases.freshSchema();
    try (PostgresStorage storage = open(schema, Duration.ofMillis(500));
        CapturedWarnings warnings = new CapturedWarnings(OwnerLock.class)) {
      Tid first = write(storage, Oid.of(1), "first");
      killWriterBetweenVoteAndCommit(schema, 2);
      Tid second = write(storage, Oid.of(1), "second");
      assertTrue(second.isAfter(first));
      assertEquals(List.of(), preparedOf(schema));
      assertEquals(1, warnings.lines().size(), warnings.lines().toString());
      assertThrows(ObjectNotFoundException.class, () -> storage.load(Oid.of(2)));
    }
  }

  /** Runs a child that votes a transaction storing {@code oid}, and kills it once it voted. */
  private static void killWriterBetweenVoteAndCommit(String schema, long oid) throws Exception {
    try (ChildJvm child = ChildJvm.start(VoteAndWait.class, TestDatabases.url("postgres"), schema,
        Long.toString(oid))) {
      assertEquals(schema, child.awaitLine("VOTED ", PATIENCE));
      child.kill();
    }
    // The server notices the dead connections at once; until then the writer's lock still counts.
    await().atMost(PATIENCE).until(() -> sessionsOf("loomraid child") == 0);
  }

  private static PostgresStorage open(String schema, Duration commitLockTimeout) {
    return PostgresStorage.builder(TestDatabases.pool("postgres")).schema(schema)
        .commitLockTimeout(commitLockTimeout).open();
  }

  private static Tid write(PostgresStorage storage, Oid oid, String data) {
    Tid serial;
    try {
      serial = storage.load(oid).serial();
    } catch (ObjectNotFoundException e) {
      serial = Tid.NONE;
    }
    try (StorageTransaction tx = storage.begin(TransactionMeta.of("test", data))) {
      tx.store(oid, serial, data.getBytes(StandardCharsets.UTF_8));
      tx.vote();
      return tx.commit();
    }
  }

  static List<String> preparedOf(String schema) throws SQLException {
    try (Connection c = TestDatabases.pool("postgres").getConnection();
        PreparedStatement query = c.prepareStatement(
            "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE ? ORDER BY gid")) {
      query.setString(1, "loomraid/%/" + schema + "/%");
      List<String> gids = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          gids.add(rows.getString(1));
        }
      }
      return gids;
    }
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

}
