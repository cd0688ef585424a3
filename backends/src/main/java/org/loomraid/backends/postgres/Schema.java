package org.loomraid.backends.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A storage's tables in one database schema, the SQL that reads and writes them, and their creation
 * and check at open.
 *
 * <h2>Version 1</h2>
 * <pre>
 *   schema_version  one row: version
 *   state           one row: last_tid, objects, transactions, bytes. Its row lock is the commit lock.
 *   oid_counter     one row: value (the last object id handed out or reserved)
 *   transactions    tid (primary key), meta (bytea, {@link MetaCodec})
 *   revisions       object_id, tid, seq (position in its transaction), data (bytea);
 *                   primary key (object_id, tid), unique (tid, seq)
 * </pre>
 */
final class Schema {

  /** The schema version this release writes and reads. */
  static final int VERSION = 1;

  /** The schema a storage uses unless told otherwise. */
  static final String DEFAULT_NAME = "loomraid";

  /**
   * The most revisions written in the same statement as the transaction row: 4 parameters each,
   * well below the protocol's 32767 per statement.
   */
  static final int MAX_INLINE_REVISIONS = 500;

  /** The most data written in the same statement as the transaction row (one message). */
  static final long MAX_INLINE_BYTES = 32L << 20;

  /** Lower-case unquoted identifiers only, so a name needs no quoting and fits a gid. */
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final List<String> TABLES =
      List.of("schema_version", "state", "oid_counter", "transactions", "revisions");

  /** Per table, the privileges the storage needs on it. */
  private static final List<String[]> PRIVILEGES = List.of(
      new String[] {"schema_version", "SELECT"},
      new String[] {"state", "SELECT"}, new String[] {"state", "UPDATE"},
      new String[] {"oid_counter", "SELECT"}, new String[] {"oid_counter", "UPDATE"},
      new String[] {"transactions", "SELECT"}, new String[] {"transactions", "INSERT"},
      new String[] {"revisions", "SELECT"}, new String[] {"revisions", "INSERT"},
      new String[] {"revisions", "DELETE"});

  final String name;

  // ---- the statements, qualified with the schema so that no search_path matters

  final String lastTid;
  final String stats;
  final String lockState;
  final String currentSerials;
  final String newObjects;
  final String insertRevision;
  final String insertTransaction;
  final String load;
  final String loadBefore;
  final String loadSerial;
  final String newOid;
  final String oidCounter;
  final String reserveOids;
  final String transactionsAfter;
  final String isCommitted;
  final String packCandidates;
  final String packDelete;
  final String packUpdateBytes;

  Schema(String name) {
    this.name = checkName(name);
    String s = name + ".";
    lastTid = "SELECT last_tid FROM " + s + "state";
    stats = "SELECT objects, transactions, bytes FROM " + s + "state";
    lockState = "SELECT last_tid FROM " + s + "state FOR UPDATE";
    currentSerials = "SELECT (SELECT max(r.tid) FROM " + s + "revisions r WHERE r.object_id = o.id)"
        + " FROM unnest(?::bigint[]) WITH ORDINALITY AS o(id, n) ORDER BY o.n";
    newObjects = "SELECT count(*) FROM unnest(?::bigint[]) AS o(id) WHERE NOT EXISTS"
        + " (SELECT 1 FROM " + s + "revisions r WHERE r.object_id = o.id)";
    insertRevision = "INSERT INTO " + s + "revisions (object_id, tid, seq, data) VALUES (?, ?, ?, ?)";
    insertTransaction = "INSERT INTO " + s + "transactions (tid, meta) VALUES (?, ?); UPDATE " + s
        + "state SET last_tid = ?, objects = objects + ?, transactions = transactions + 1,"
        + " bytes = bytes + ?";
    load = "SELECT tid, data FROM " + s + "revisions WHERE object_id = ? ORDER BY tid DESC LIMIT 1";
    loadBefore = "SELECT b.tid, b.data, EXISTS (SELECT 1 FROM " + s + "revisions e"
        + " WHERE e.object_id = ?) FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT tid, data FROM "
        + s + "revisions WHERE object_id = ? AND tid < ? ORDER BY tid DESC LIMIT 1) AS b ON true";
    loadSerial = "SELECT data FROM " + s + "revisions WHERE object_id = ? AND tid = ?";
    String highest = "GREATEST(value, COALESCE((SELECT max(object_id) FROM " + s + "revisions), 0))";
    newOid = "UPDATE " + s + "oid_counter SET value = " + highest + " + 1 WHERE " + highest
        + " < ? RETURNING value";
    oidCounter = "SELECT " + highest + " FROM " + s + "oid_counter";
    reserveOids = "UPDATE " + s + "oid_counter SET value = GREATEST(value, ?)";
    transactionsAfter = "SELECT t.tid, t.meta, r.object_id, r.data FROM " + s + "transactions t"
        + " LEFT JOIN " + s + "revisions r ON r.tid = t.tid WHERE t.tid > ? ORDER BY t.tid, r.seq";
    isCommitted = "SELECT EXISTS (SELECT 1 FROM " + s + "transactions WHERE tid = ?)";
    // A revision before the pack tid that has a newer one also before it is no longer needed.
    String doomed = " AND r.tid < ? AND EXISTS (SELECT 1 FROM " + s + "revisions n"
        + " WHERE n.object_id = r.object_id AND n.tid > r.tid AND n.tid < ?)";
    packCandidates = "SELECT r.object_id, r.tid FROM " + s + "revisions r"
        + " WHERE (r.object_id, r.tid) > (?, ?)" + doomed + " ORDER BY r.object_id, r.tid LIMIT ?";
    packDelete = "DELETE FROM " + s + "revisions r USING unnest(?::bigint[], ?::bigint[]) AS d(o, t)"
        + " WHERE r.object_id = d.o AND r.tid = d.t" + doomed + " RETURNING length(r.data)";
    packUpdateBytes = "UPDATE " + s + "state SET bytes = bytes - ?";
  }

  /** Returns an insert of {@code rows} revisions in one statement, each {@code (?, ?, ?, ?)}. */
  String insertRevisions(int rows) {
    StringBuilder sql = new StringBuilder(insertRevision.length() + rows * 16).append(insertRevision);
    for (int i = 1; i < rows; i++) {
      sql.append(", (?, ?, ?, ?)");
    }
    return sql.toString();
  }

  /**
   * Checks a schema name: a lower-case SQL identifier of at most 63 characters.
   *
   * @throws IllegalArgumentException naming the schema if it is not one
   */
  static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("schema must be a lower-case SQL identifier (letters a-z,"
          + " digits, '_', not starting with a digit, at most 63 characters), was " + name);
    }
    return name;
  }

  /**
   * Creates the schema and its tables if they do not exist, and checks them: a schema that holds
   * other tables, a missing table or another version is refused, and so is a user who lacks a
   * privilege the storage needs. All in one transaction, serialised against other storages opening
   * the same schema; nothing is left behind if it fails.
   *
   * @return whether the tables were created now
   */
  boolean createOrCheck(Connection connection, String storage) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      boolean created = createOrCheckLocked(connection, storage);
      connection.commit();
      return created;
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(connection, e);
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private boolean createOrCheckLocked(Connection connection, String storage) throws SQLException {
    try (PreparedStatement lock = connection.prepareStatement(
        "SELECT pg_advisory_xact_lock(hashtext(?))")) {
      lock.setString(1, "loomraid schema " + name);
      lock.executeQuery().close();
    }
    boolean exists;
    List<String> present = new ArrayList<>();
    int others = 0;
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT n.nspname IS NOT NULL, c.relname FROM (SELECT ?::name AS wanted) w"
            + " LEFT JOIN pg_namespace n ON n.nspname = w.wanted"
            + " LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')")) {
      query.setString(1, name);
      try (ResultSet rows = query.executeQuery()) {
        exists = false;
        while (rows.next()) {
          exists = rows.getBoolean(1);
          String table = rows.getString(2);
          if (table != null) {
            if (TABLES.contains(table)) {
              present.add(table);
            } else {
              others++;
            }
          }
        }
      }
    }
    if (!exists || present.isEmpty() && others == 0) {
      create(connection, storage, exists);
      return true;
    }
    if (!present.contains("schema_version")) {
      throw new PostgresSchemaException("storage '" + storage + "': schema '" + name + "' holds "
          + (present.size() + others) + " tables but no schema_version table, so it is not a"
          + " loomraid storage; open the storage on another schema (or an empty one)");
    }
    int version;
    try (Statement query = connection.createStatement();
        ResultSet row = query.executeQuery("SELECT version FROM " + name + ".schema_version")) {
      if (!row.next()) {
        throw new PostgresSchemaException("storage '" + storage + "': schema '" + name
            + "' has an empty schema_version table; the schema is damaged");
      }
      version = row.getInt(1);
    }
    if (version != VERSION) {
      throw new PostgresSchemaException("storage '" + storage + "': schema '" + name
          + "' has version " + version + ", and this release of loomraid reads version " + VERSION
          + (version > VERSION ? " only; it was written by a newer release, open it with that one"
              : "; the schema is damaged"));
    }
    List<String> missing = new ArrayList<>(TABLES);
    missing.removeAll(present);
    if (!missing.isEmpty()) {
      throw new PostgresSchemaException("storage '" + storage + "': schema '" + name
          + "' (version " + version + ") lacks the tables " + missing + "; the schema is damaged");
    }
    checkPrivileges(connection, storage);
    return false;
  }

  private void create(Connection connection, String storage, boolean schemaExists)
      throws SQLException {
    String s = name + ".";
    // One statement string, so one round trip: creating a storage is what tests do most.
    String ddl = (schemaExists ? "" : "CREATE SCHEMA " + name + "; ")
        + "CREATE TABLE " + s + "schema_version (singleton boolean PRIMARY KEY DEFAULT true"
        + " CHECK (singleton), version integer NOT NULL); "
        + "CREATE TABLE " + s + "state (singleton boolean PRIMARY KEY DEFAULT true"
        + " CHECK (singleton), last_tid bigint NOT NULL, objects bigint NOT NULL,"
        + " transactions bigint NOT NULL, bytes bigint NOT NULL); "
        + "CREATE TABLE " + s + "oid_counter (singleton boolean PRIMARY KEY DEFAULT true"
        + " CHECK (singleton), value bigint NOT NULL); "
        + "CREATE TABLE " + s + "transactions (tid bigint PRIMARY KEY, meta bytea NOT NULL); "
        + "CREATE TABLE " + s + "revisions (object_id bigint NOT NULL, tid bigint NOT NULL,"
        + " seq integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (object_id, tid),"
        + " UNIQUE (tid, seq)); "
        + "INSERT INTO " + s + "schema_version (version) VALUES (" + VERSION + "); "
        + "INSERT INTO " + s + "state (last_tid, objects, transactions, bytes) VALUES (0, 0, 0, 0); "
        + "INSERT INTO " + s + "oid_counter (value) VALUES (0)";
    try (Statement statement = connection.createStatement()) {
      statement.execute(ddl);
    } catch (SQLException e) {
      if (SqlStates.kindOf(e) == SqlStates.Kind.NOT_WRITABLE) {
        throw new PostgresStorageException("storage '" + storage + "': cannot create the schema '"
            + name + "' and its tables: " + e.getMessage() + "; create them as a user who may"
            + " (the storage does so on its first open), or open the storage as such a user",
            SqlStates.sqlStateOf(e), e);
      }
      throw e;
    }
  }

  private void checkPrivileges(Connection connection, String storage) throws SQLException {
    StringBuilder query = new StringBuilder("SELECT has_schema_privilege(?, 'USAGE')");
    for (int i = 0; i < PRIVILEGES.size(); i++) {
      query.append(", has_table_privilege(?, ?)");
    }
    List<String> lacking = new ArrayList<>();
    try (PreparedStatement check = connection.prepareStatement(query.toString())) {
      int p = 1;
      check.setString(p++, name);
      for (String[] privilege : PRIVILEGES) {
        check.setString(p++, name + "." + privilege[0]);
        check.setString(p++, privilege[1]);
      }
      try (ResultSet row = check.executeQuery()) {
        row.next();
        if (!row.getBoolean(1)) {
          lacking.add("USAGE on schema " + name);
        }
        for (int i = 0; i < PRIVILEGES.size(); i++) {
          if (!row.getBoolean(i + 2)) {
            lacking.add(PRIVILEGES.get(i)[1] + " on " + name + "." + PRIVILEGES.get(i)[0]);
          }
        }
      }
    }
    if (!lacking.isEmpty()) {
      throw new PostgresStorageException("storage '" + storage + "': the database user may not"
          + " write the storage: it lacks " + String.join(", ", lacking) + "; grant them (a"
          + " PostgresStorage always writes: it resolves prepared transactions left by a crash"
          + " when it opens)", "42501", null);
    }
  }

  static void rollbackQuietly(Connection connection, Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }
}
