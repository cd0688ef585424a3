package org.loomraid.backends.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.loomraid.storage.BufferedTransaction;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TidGenerator;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Storage} in a PostgreSQL database, whose two-phase commit is the database's own:
 * {@link StorageTransaction#vote()} writes the transaction's rows and ends with
 * {@code PREPARE TRANSACTION}, {@link StorageTransaction#commit()} is {@code COMMIT PREPARED},
 * {@link StorageTransaction#abort()} {@code ROLLBACK PREPARED}. Once a vote returns, the database
 * itself guarantees that the commit can succeed; only a failure (the server unreachable) can stop it.
 *
 * <pre>{@code
 * try (PostgresStorage storage = PostgresStorage.builder("jdbc:postgresql://db:5432/app")
 *     .credentials("loomraid", password)
 *     .schema("orders")
 *     .open()) {
 *   Oid oid = storage.newOid();
 *   try (StorageTransaction tx = storage.begin(TransactionMeta.of("alice", "first"))) {
 *     tx.store(oid, Tid.NONE, bytes);
 *     tx.vote();     // PREPARE TRANSACTION
 *     tx.commit();   // COMMIT PREPARED
 *   }
 * }
 * }</pre>
 *
 * <h2>Connections</h2>
 * A storage works on a {@link DataSource}: bring your own pool ({@link #builder(DataSource)}; the
 * storage never closes it), or let the storage make a small HikariCP pool from a JDBC URL
 * ({@link #builder(String)}; closed with the storage). Every call borrows a connection for its
 * statements and gives it back; an open {@link #transactions(Tid)} iterator holds one until it is
 * closed; and the storage keeps one for its whole life (see <em>Prepared transactions</em>), so
 * a pool needs room for that one plus the calls that run at the same time.
 *
 * <h2>Tables</h2>
 * Each storage lives in a database schema of its own ({@link Builder#schema}, default
 * {@value Schema#DEFAULT_NAME}), so several storages can share a database. The schema and its
 * tables are created on first open; every open checks them and refuses a schema of another or a
 * newer version with a {@link PostgresSchemaException}. See the package documentation for the
 * tables.
 *
 * <h2>Commits</h2>
 * The commit lock is the row lock on the one row of the {@code state} table: a vote takes it with
 * {@code SELECT ... FOR UPDATE}, and the prepared transaction keeps it until
 * {@code COMMIT PREPARED} or {@code ROLLBACK PREPARED}. So commits are serialised across
 * connections and across processes sharing the schema, with a bounded wait
 * ({@link Builder#commitLockTimeout}, as {@code lock_timeout}; then
 * {@link CommitLockTimeoutException}). Under the lock the vote reads the last tid and the current
 * serial of every stored object in one statement, compares them (a mismatch is a
 * {@link ConflictException}), chooses the tid, inserts the revisions and the transaction, updates
 * the {@code state} row and prepares. Vote is two round trips, commit one. Reads never wait for
 * the lock and never see a prepared transaction: until it commits, its rows and its new
 * {@code state} row are invisible to everyone else.
 *
 * <h2>Prepared transactions</h2>
 * The server must allow them: a server with {@code max_prepared_transactions = 0} is refused at
 * open with a message saying what to set. A gid names the database, the schema, the storage
 * instance, the tid and a sequence number. Each instance holds a session-level advisory lock on its
 * random instance id, on a connection of its own, for its whole life: so when a storage opens, a
 * prepared transaction of its schema whose instance lock it can take has lost its writer (the
 * process died between vote and commit) and is rolled back, with one WARN line each; one whose
 * instance is alive is left alone. Rolling back is the safe rule: a transaction is acknowledged only
 * after it committed, and a RAID brings a backend that lacks it level at startup. A vote that runs
 * into the lock timeout looks for such orphans too and, if it rolled one back, tries once more.
 *
 * <h2>Lost replies and interrupts</h2>
 * An interrupt closes the socket of a virtual thread blocked on it, so the connection breaks and the
 * pool drops it; a transaction whose statements had not all run is rolled back by the server. When a
 * reply to {@code PREPARE}, {@code COMMIT PREPARED} or {@code ROLLBACK PREPARED} is lost, the
 * storage asks the database on a fresh connection (with the interrupt status cleared meanwhile, and
 * set again afterwards) how that transaction ended, and finishes it: a commit whose prepared
 * transaction is still there is committed, one whose tid is in the transactions table has committed;
 * only if the database stays unreachable is the commit's outcome unknown
 * ({@link CommitOutcomeUnknownException}). A transaction left prepared that way is rolled back by
 * the next vote, by {@link #close()}, or by the next open.
 *
 * <h2>Errors</h2>
 * Database errors are mapped in one place, by SQLSTATE: a lock timeout on the commit lock is a
 * {@link CommitLockTimeoutException}, a tid already taken a {@link StaleTidException}, a
 * serialisation failure or deadlock is retried (twice) since the conflict check itself is a
 * comparison under the lock; everything else (a broken connection, a refused one, resources, the
 * server shutting down) is a {@link PostgresStorageException}, a failure.
 *
 * <h2>Limits</h2>
 * Records up to {@link DataRecord#MAX_DATA_LENGTH} (16 MiB) in one {@code bytea} each,
 * transactions up to {@value #MAX_TRANSACTION_SIZE} bytes of data, metadata up to
 * {@value #MAX_META_SIZE} bytes; lower ones can be set with {@link Builder#limits}.
 */
public final class PostgresStorage implements Storage {

  /** The default bound on the wait for the commit lock. */
  public static final Duration DEFAULT_COMMIT_LOCK_TIMEOUT = Duration.ofSeconds(30);

  /** The largest total data of one transaction: 1 GiB, one transaction being one database transaction. */
  public static final long MAX_TRANSACTION_SIZE = 1L << 30;

  /**
   * The largest metadata of one transaction ({@link TransactionMeta#byteSize()}): 16 MiB; stored in
   * one {@code bytea} of at most three times that.
   */
  public static final int MAX_META_SIZE = 16 * 1024 * 1024;

  /** The limits a storage has unless {@link Builder#limits} lowers them. */
  public static final StorageLimits MAX_LIMITS =
      new StorageLimits(DataRecord.MAX_DATA_LENGTH, MAX_TRANSACTION_SIZE, MAX_META_SIZE);

  /** How many rows {@link #transactions(Tid)} fetches at a time unless told otherwise. */
  public static final int DEFAULT_FETCH_SIZE = 64;

  /** How many revisions one step of {@link #pack(Tid)} deletes unless told otherwise. */
  public static final int DEFAULT_PACK_BATCH_SIZE = 1000;

  /** The size of the pool {@link #builder(String)} makes unless told otherwise. */
  public static final int DEFAULT_POOL_SIZE = 5;

  private static final Logger LOG = LoggerFactory.getLogger(PostgresStorage.class);

  /** How often a vote or restore runs again after a serialisation failure or deadlock. */
  private static final int SERIALIZATION_RETRIES = 2;

  private final String name;
  private final Schema schema;
  private final DataSource dataSource;
  private final HikariDataSource ownedPool;
  private final Duration commitLockTimeout;
  private final long lockTimeoutMillis;
  private final StorageLimits limits;
  private final TidGenerator tids;
  private final int fetchSize;
  private final int packBatchSize;
  private final OwnerLock owner;
  private final String gidPrefix;
  private final String serverVersion;
  private final PreparedTransactions prepared;

  private final AtomicLong gidSequence = new AtomicLong();

  /**
   * The highest tid this instance has seen committed: read at open and by every read of the last
   * tid, raised by its own commits and restores. {@link #begin(TransactionMeta, Tid)} checks a
   * tid against it, so beginning costs no round trip; the vote checks it again under the lock.
   */
  private final AtomicLong knownLast = new AtomicLong();

  /** Gids of this instance's transactions that voted and wait for commit or abort. */
  private final Set<Gid> votedGids = ConcurrentHashMap.newKeySet();

  /** Gids that may still be prepared but belong to no transaction any more: rolled back later. */
  private final Set<Gid> abandonedGids = ConcurrentHashMap.newKeySet();

  private final Set<PostgresTransactionIterator> iterators = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;

  private PostgresStorage(Builder builder, DataSource dataSource, HikariDataSource ownedPool,
      Schema schema, OwnerLock owner, ServerInfo server, Tid last) {
    this.name = builder.name != null ? builder.name : schema.name;
    this.schema = schema;
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.commitLockTimeout = builder.commitLockTimeout;
    this.lockTimeoutMillis = Math.max(1, (builder.commitLockTimeout.toNanos() + 999_999) / 1_000_000);
    this.limits = builder.limits;
    this.tids = builder.tids;
    this.fetchSize = builder.fetchSize;
    this.packBatchSize = builder.packBatchSize;
    this.owner = owner;
    this.gidPrefix = Gid.prefix(server.databaseOid(), schema.name);
    this.serverVersion = server.version();
    this.prepared = new PreparedTransactions(this::connection, schema);
    this.knownLast.set(last.value());
  }

  /**
   * Returns a builder for a storage on {@code dataSource}, a pool the caller owns (and closes after
   * the storage). The storage borrows its connections from it and keeps one for its whole life.
   *
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null);
  }

  /**
   * Returns a builder for a storage that makes its own small HikariCP pool (of
   * {@value #DEFAULT_POOL_SIZE} connections unless told otherwise) from {@code jdbcUrl}, a
   * PostgreSQL JDBC URL such as {@code jdbc:postgresql://host:5432/database}, and closes it with the
   * storage. Give the credentials with {@link Builder#credentials}, not in the URL.
   *
   * @throws IllegalArgumentException if {@code jdbcUrl} is not a {@code jdbc:postgresql:} URL
   */
  public static Builder builder(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "jdbcUrl must start with jdbc:postgresql:, was " + JdbcUrls.redact(jdbcUrl));
    }
    return new Builder(null, jdbcUrl);
  }

  /** Settings for opening a {@link PostgresStorage}; every setter validates at once. */
  public static final class Builder {
    private final DataSource dataSource;
    private final String jdbcUrl;
    private String name;
    private String schema = Schema.DEFAULT_NAME;
    private Duration commitLockTimeout = DEFAULT_COMMIT_LOCK_TIMEOUT;
    private StorageLimits limits = MAX_LIMITS;
    private TidGenerator tids = TidGenerator.system();
    private int fetchSize = DEFAULT_FETCH_SIZE;
    private int packBatchSize = DEFAULT_PACK_BATCH_SIZE;
    private String user;
    private String password;
    private int poolSize = DEFAULT_POOL_SIZE;

    private Builder(DataSource dataSource, String jdbcUrl) {
      this.dataSource = dataSource;
      this.jdbcUrl = jdbcUrl;
    }

    /** The storage's name for logs and errors; defaults to the schema's name. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * The database schema that holds the storage's tables: a lower-case SQL identifier (letters,
     * digits and {@code _}, at most 63 characters); defaults to {@value Schema#DEFAULT_NAME}.
     * Storages in different schemas of one database are independent.
     */
    public Builder schema(String schema) {
      this.schema = Schema.checkName(schema);
      return this;
    }

    /**
     * How long vote, restore and each step of pack wait for the commit lock; positive, at most
     * {@link Integer#MAX_VALUE} milliseconds (PostgreSQL's {@code lock_timeout} is in whole
     * milliseconds, so it is rounded up to one).
     */
    public Builder commitLockTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "commitLockTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("commitLockTimeout must be positive, was " + timeout);
      }
      if (timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException("commitLockTimeout must be at most "
            + Duration.ofMillis(Integer.MAX_VALUE) + ", was " + timeout);
      }
      this.commitLockTimeout = timeout;
      return this;
    }

    /**
     * The limits the storage enforces; at most {@link #MAX_LIMITS} (the default): records up to
     * 16 MiB, transactions up to {@value #MAX_TRANSACTION_SIZE} bytes, metadata up to
     * {@value #MAX_META_SIZE} bytes.
     */
    public Builder limits(StorageLimits limits) {
      Objects.requireNonNull(limits, "limits");
      if (limits.maxTransactionSize() > MAX_TRANSACTION_SIZE) {
        throw new IllegalArgumentException("limits.maxTransactionSize must be at most "
            + MAX_TRANSACTION_SIZE + " bytes for a PostgresStorage, was "
            + limits.maxTransactionSize());
      }
      if (limits.maxMetaSize() > MAX_META_SIZE) {
        throw new IllegalArgumentException("limits.maxMetaSize must be at most " + MAX_META_SIZE
            + " bytes for a PostgresStorage, was " + limits.maxMetaSize());
      }
      this.limits = limits;
      return this;
    }

    /** Where new tids come from (a clock can be injected for tests). */
    public Builder tidGenerator(TidGenerator generator) {
      this.tids = Objects.requireNonNull(generator, "tidGenerator");
      return this;
    }

    /**
     * How many rows {@link #transactions(Tid)} fetches per round trip (one row per record, so at
     * most this many records are in memory at a time): between 1 and 100000, default
     * {@value #DEFAULT_FETCH_SIZE}.
     */
    public Builder fetchSize(int rows) {
      if (rows < 1 || rows > 100_000) {
        throw new IllegalArgumentException("fetchSize must be between 1 and 100000, was " + rows);
      }
      this.fetchSize = rows;
      return this;
    }

    /**
     * How many revisions one step of {@link #pack(Tid)} deletes under the commit lock: between 1
     * and 100000, default {@value #DEFAULT_PACK_BATCH_SIZE}.
     */
    public Builder packBatchSize(int revisions) {
      if (revisions < 1 || revisions > 100_000) {
        throw new IllegalArgumentException(
            "packBatchSize must be between 1 and 100000, was " + revisions);
      }
      this.packBatchSize = revisions;
      return this;
    }

    /**
     * The database user and password for the pool made from the JDBC URL.
     *
     * @throws IllegalStateException if the builder was made from a {@link DataSource}
     */
    public Builder credentials(String user, String password) {
      requireUrl("credentials");
      Objects.requireNonNull(user, "user");
      if (user.isBlank()) {
        throw new IllegalArgumentException("user must not be blank");
      }
      this.user = user;
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * The size of the pool made from the JDBC URL: between 2 (the storage keeps one connection for
     * its life) and 1000, default {@value #DEFAULT_POOL_SIZE}.
     *
     * @throws IllegalStateException if the builder was made from a {@link DataSource}
     */
    public Builder poolSize(int connections) {
      requireUrl("poolSize");
      if (connections < 2 || connections > 1000) {
        throw new IllegalArgumentException("poolSize must be between 2 (one connection is the"
            + " storage's for its life) and 1000, was " + connections);
      }
      this.poolSize = connections;
      return this;
    }

    private void requireUrl(String setting) {
      if (jdbcUrl == null) {
        throw new IllegalStateException(setting + " applies only to a storage opened from a JDBC"
            + " URL; configure the DataSource instead");
      }
    }

    /**
     * Opens the storage: connects, checks that the server can prepare transactions and accepts
     * writes, creates the schema and its tables if there are none (or checks them), takes this
     * instance's lock, and rolls back prepared transactions left by instances that are gone.
     *
     * @throws PostgresSchemaException if the schema holds other tables or another version
     * @throws PostgresStorageException if the database cannot be reached, has
     *     {@code max_prepared_transactions = 0}, is read-only, or the user lacks a privilege
     */
    public PostgresStorage open() {
      String label = name != null ? name : schema;
      if (jdbcUrl == null) {
        return openOn(dataSource, null, label);
      }
      HikariDataSource pool = createPool(label);
      try {
        return openOn(pool, pool, label);
      } catch (RuntimeException | Error e) {
        pool.close();
        throw e;
      }
    }

    private HikariDataSource createPool(String label) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(jdbcUrl);
      if (user != null) {
        config.setUsername(user);
        config.setPassword(password);
      }
      config.setPoolName("loomraid-" + label);
      config.setMaximumPoolSize(poolSize);
      config.setMinimumIdle(Math.min(2, poolSize));
      config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
      config.setAutoCommit(true);
      config.addDataSourceProperty("ApplicationName", "loomraid " + label);
      config.addDataSourceProperty("connectTimeout", "10");
      config.addDataSourceProperty("tcpKeepAlive", "true");
      try {
        return new HikariDataSource(config);
      } catch (RuntimeException e) {
        throw new PostgresStorageException("storage '" + label + "': cannot connect to "
            + JdbcUrls.redact(jdbcUrl) + ": " + rootMessage(e), null, e);
      }
    }

    private PostgresStorage openOn(DataSource source, HikariDataSource pool, String label) {
      Schema tables = new Schema(schema);
      Connection connection;
      try {
        connection = source.getConnection();
      } catch (SQLException e) {
        throw SqlStates.failure(label, "connect", e);
      }
      OwnerLock ownerLock = null;
      try {
        connection.setAutoCommit(true);
        ServerInfo server = ServerInfo.check(connection, label);
        if (tables.createOrCheck(connection, label)) {
          LOG.info("storage '{}': created schema '{}' (version {}) on PostgreSQL {}", label,
              tables.name, Schema.VERSION, server.version());
        }
        ownerLock = OwnerLock.acquire(source, label,
            Gid.prefix(server.databaseOid(), tables.name), connection);
        ownerLock.resolveOrphans(ownerLock.openingConnection(), true);
        Tid last = readLastTid(ownerLock.openingConnection(), tables);
        return new PostgresStorage(this, source, pool, tables, ownerLock, server, last);
      } catch (SQLException e) {
        RuntimeException failure = SqlStates.failure(label, "open", e);
        closeOnFailure(connection, ownerLock, failure);
        throw failure;
      } catch (RuntimeException | Error e) {
        closeOnFailure(connection, ownerLock, e);
        throw e;
      }
    }

    private static void closeOnFailure(Connection connection, OwnerLock ownerLock, Throwable failure) {
      if (ownerLock != null) {
        ownerLock.close();
        return;
      }
      try {
        connection.close();
      } catch (SQLException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  // ---------------------------------------------------------------------------------------------
  // The storage's own view

  @Override
  public String name() {
    return name;
  }

  /** Returns the database schema that holds this storage's tables. */
  public String schema() {
    return schema.name;
  }

  /** Returns the PostgreSQL server's version, as it reported it at open. */
  public String serverVersion() {
    return serverVersion;
  }

  /** Returns the bound on the wait for the commit lock. */
  public Duration commitLockTimeout() {
    return commitLockTimeout;
  }

  /**
   * {@inheritDoc}
   *
   * <p>At most {@link #MAX_LIMITS}; as set with {@link Builder#limits}.
   */
  @Override
  public StorageLimits limits() {
    return limits;
  }

  @Override
  public String toString() {
    return "PostgresStorage[" + name + ", schema " + schema.name + ", PostgreSQL " + serverVersion
        + (closed ? ", closed" : "") + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public Tid lastTransaction() {
    return read("read the last transaction", this::lastTid);
  }

  private Tid lastTid(Connection c) throws SQLException {
    return seen(readLastTid(c, schema));
  }

  private static Tid readLastTid(Connection c, Schema schema) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(schema.lastTid);
        ResultSet row = query.executeQuery()) {
      row.next();
      return Tid.of(row.getLong(1));
    }
  }

  /** Notes that {@code tid} is committed (see {@link #knownLast}); returns it. */
  private Tid seen(Tid tid) {
    knownLast.accumulateAndGet(tid.value(), Math::max);
    return tid;
  }

  @Override
  public StorageStats stats() {
    return read("read the stats", c -> {
      try (PreparedStatement query = c.prepareStatement(schema.stats);
          ResultSet row = query.executeQuery()) {
        row.next();
        return new StorageStats(row.getLong(1), row.getLong(2), row.getLong(3));
      }
    });
  }

  @Override
  public Revision load(Oid oid) {
    Objects.requireNonNull(oid, "oid");
    return read(() -> "load " + oid, c -> {
      try (PreparedStatement query = c.prepareStatement(schema.load)) {
        query.setLong(1, oid.value());
        try (ResultSet row = query.executeQuery()) {
          if (!row.next()) {
            throw new ObjectNotFoundException(oid);
          }
          return new Revision(oid, Tid.of(row.getLong(1)), row.getBytes(2));
        }
      }
    });
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(tid, "tid");
    return read(() -> "load " + oid + " before " + tid, c -> {
      try (PreparedStatement query = c.prepareStatement(schema.loadBefore)) {
        query.setLong(1, oid.value());
        query.setLong(2, oid.value());
        query.setLong(3, tid.value());
        try (ResultSet row = query.executeQuery()) {
          row.next();
          long serial = row.getLong(1);
          if (!row.wasNull()) {
            return Optional.of(new Revision(oid, Tid.of(serial), row.getBytes(2)));
          }
          if (!row.getBoolean(3)) {
            throw new ObjectNotFoundException(oid);
          }
          return Optional.empty();
        }
      }
    });
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(serial, "serial");
    return read(() -> "load " + oid + " at " + serial, c -> {
      try (PreparedStatement query = c.prepareStatement(schema.loadSerial)) {
        query.setLong(1, oid.value());
        query.setLong(2, serial.value());
        try (ResultSet row = query.executeQuery()) {
          if (!row.next()) {
            throw new ObjectNotFoundException(oid, "no revision of " + oid + " with serial " + serial);
          }
          return new Revision(oid, serial, row.getBytes(1));
        }
      }
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Runs one query in a single snapshot, taken now, through a server-side cursor that fetches
   * {@link Builder#fetchSize} rows at a time; the iterator holds a pooled connection until it is
   * exhausted or closed.
   */
  @Override
  public TransactionIterator transactions(Tid after) {
    Objects.requireNonNull(after, "after");
    checkOpen();
    try {
      PostgresTransactionIterator iterator = PostgresTransactionIterator.start(name, schema,
          connection(), after, fetchSize, iterators::remove);
      iterators.add(iterator);
      if (closed) {
        iterator.close();
        throw new StorageClosedException(name);
      }
      return iterator;
    } catch (SQLException e) {
      throw failure("read the history", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Object ids

  /**
   * {@inheritDoc}
   *
   * <p>One statement: the counter row moves to one above the larger of itself and the largest stored
   * object id, and is committed at once, so an id is never handed out twice, also after reopen.
   */
  @Override
  public Oid newOid() {
    return read("allocate an object id", c -> {
      try (PreparedStatement update = c.prepareStatement(schema.newOid)) {
        update.setLong(1, Oid.MAX.value());
        try (ResultSet row = update.executeQuery()) {
          if (row.next()) {
            return Oid.of(row.getLong(1));
          }
        }
      }
      try (PreparedStatement query = c.prepareStatement(schema.oidCounter);
          ResultSet row = query.executeQuery()) {
        row.next();
        Oid.after(row.getLong(1), name); // the counter is at Oid.MAX: this throws
        throw new IllegalStateException("storage '" + name + "': the object id counter "
            + row.getLong(1) + " refused to move although it is below Oid.MAX");
      }
    });
  }

  @Override
  public void reserveOids(Oid through) {
    Objects.requireNonNull(through, "through");
    Oid.checkInRange(through, "through");
    read(() -> "reserve object ids through " + through, c -> {
      try (PreparedStatement update = c.prepareStatement(schema.reserveOids)) {
        update.setLong(1, through.value());
        update.executeUpdate();
      }
      return null;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    Objects.requireNonNull(meta, "meta");
    checkOpen();
    return new PostgresTransaction(meta, Tid.NONE);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The tid is checked here, with no round trip, against the last tid this instance has seen
   * committed (read at open and by every read of the last tid, raised by its own commits and
   * restores); a commit made since by another storage sharing the schema is found by the vote,
   * which checks the tid again under the commit lock.
   */
  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    Objects.requireNonNull(meta, "meta");
    Tid.requireReal(tid, "tid");
    Tid.checkInRange(tid, "tid");
    checkOpen();
    Tid last = Tid.of(knownLast.get());
    if (!tid.isAfter(last)) {
      throw new StaleTidException(tid, last);
    }
    return new PostgresTransaction(meta, tid);
  }

  /**
   * {@inheritDoc}
   *
   * <p>One database transaction: takes the commit lock, checks the tid, inserts the revisions and
   * the transaction, updates the state row and commits.
   */
  @Override
  public void restore(TransactionRecord record) {
    Objects.requireNonNull(record, "record");
    limits.check(record, name);
    checkOpen();
    List<DataRecord> records = record.records();
    long[] oids = new long[records.size()];
    for (int i = 0; i < oids.length; i++) {
      oids[i] = records.get(i).oid().value();
    }
    underCommitLock("restore " + record.tid(), () -> {
      Connection c = connection();
      boolean done = false;
      try {
        c.setAutoCommit(false);
        Locked locked = lock(c, oids);
        if (!record.tid().isAfter(locked.last())) {
          throw new StaleTidException(record.tid(), locked.last());
        }
        writeTransaction(c, record.tid(), record.meta(), records, locked.newObjects(),
            record.dataLength(), "");
        c.commit();
        done = true;
        seen(record.tid());
        return null;
      } catch (SQLException e) {
        if (SqlStates.kindOf(e) == SqlStates.Kind.UNIQUE_VIOLATION) {
          throw staleTid(record.tid(), e);
        }
        throw e;
      } finally {
        release(c, done);
      }
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Works in steps: each finds the next {@link Builder#packBatchSize} droppable revisions
   * without any lock, then deletes them and updates the size in one short transaction under the
   * commit lock, so commits go on in between. A revision is dropped only if a newer one before
   * {@code before} exists at the moment it is deleted.
   */
  @Override
  public void pack(Tid before) {
    Tid.requireReal(before, "before");
    checkOpen();
    long cursorOid = -1;
    long cursorTid = -1;
    long dropped = 0;
    while (true) {
      long[][] batch = packCandidates(before, cursorOid, cursorTid);
      if (batch[0].length == 0) {
        break;
      }
      cursorOid = batch[0][batch[0].length - 1];
      cursorTid = batch[1][batch[1].length - 1];
      dropped += underCommitLock("pack before " + before, () -> packStep(before, batch));
    }
    LOG.debug("storage '{}': packed before {}, dropped {} revisions", name, before, dropped);
  }

  private long[][] packCandidates(Tid before, long afterOid, long afterTid) {
    return read(() -> "pack before " + before, c -> {
      List<long[]> found = new ArrayList<>();
      try (PreparedStatement query = c.prepareStatement(schema.packCandidates)) {
        query.setLong(1, afterOid);
        query.setLong(2, afterTid);
        query.setLong(3, before.value());
        query.setLong(4, before.value());
        query.setInt(5, packBatchSize);
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            found.add(new long[] {rows.getLong(1), rows.getLong(2)});
          }
        }
      }
      long[][] batch = new long[2][found.size()];
      for (int i = 0; i < found.size(); i++) {
        batch[0][i] = found.get(i)[0];
        batch[1][i] = found.get(i)[1];
      }
      return batch;
    });
  }

  private long packStep(Tid before, long[][] batch) throws SQLException {
    Connection c = connection();
    boolean done = false;
    try {
      c.setAutoCommit(false);
      lock(c, null);
      long bytes = 0;
      long count = 0;
      try (PreparedStatement delete = c.prepareStatement(schema.packDelete)) {
        delete.setArray(1, c.createArrayOf("int8", boxed(batch[0])));
        delete.setArray(2, c.createArrayOf("int8", boxed(batch[1])));
        delete.setLong(3, before.value());
        delete.setLong(4, before.value());
        try (ResultSet rows = delete.executeQuery()) {
          while (rows.next()) {
            bytes += rows.getLong(1);
            count++;
          }
        }
      }
      try (PreparedStatement update = c.prepareStatement(schema.packUpdateBytes)) {
        update.setLong(1, bytes);
        update.executeUpdate();
      }
      c.commit();
      done = true;
      return count;
    } finally {
      release(c, done);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Closing

  /**
   * Closes the storage: closes open iterators, rolls back this instance's transactions that voted
   * but did not commit (so their {@code commit()} fails), releases the instance lock and, if the
   * storage made its pool, closes it. A prepared transaction that cannot be rolled back now (the
   * database is unreachable) is rolled back by the next storage that opens the schema. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closed = true;
    try {
      for (PostgresTransactionIterator iterator : List.copyOf(iterators)) {
        iterator.close();
      }
      List<Gid> pending = new ArrayList<>(votedGids);
      votedGids.removeAll(pending);
      pending.addAll(abandonedGids);
      for (Gid gid : pending) {
        // One try each; once the database does not answer, the rest are left to the next open.
        if (prepared.settle(gid, 0, false, 1).outcome() == PreparedTransactions.Outcome.UNKNOWN) {
          LOG.warn("storage '{}': closing without rolling back the prepared transactions {}: the"
              + " database does not answer; the next storage to open schema '{}' rolls them back",
              name, pending.subList(pending.indexOf(gid), pending.size()), schema.name);
          break;
        }
        abandonedGids.remove(gid);
      }
    } finally {
      owner.close();
      if (ownedPool != null) {
        ownedPool.close();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** One unit of database work that may throw {@link SQLException}. */
  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** One attempt at a write under the commit lock; gets and releases its own connection. */
  @FunctionalInterface
  private interface LockedWork<T> {
    T attempt() throws SQLException;
  }

  /** Borrows a connection in auto-commit mode. */
  private Connection connection() throws SQLException {
    Connection c = dataSource.getConnection();
    try {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c, e);
      throw e;
    }
  }

  private <T> T read(String operation, SqlWork<T> work) {
    return read(() -> operation, work);
  }

  /** Runs {@code work} on a borrowed connection; the operation is named only if it fails. */
  private <T> T read(Supplier<String> operation, SqlWork<T> work) {
    checkOpen();
    try (Connection c = connection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw failure(operation.get(), e);
    }
  }

  /**
   * Runs {@code work} (which takes the commit lock) and maps its errors: a lock timeout is a
   * {@link CommitLockTimeoutException}, unless rolling back orphaned or abandoned prepared
   * transactions freed the lock, then it runs once more; a serialisation failure or deadlock runs it
   * again, up to {@value #SERIALIZATION_RETRIES} times; anything else is a failure.
   */
  private <T> T underCommitLock(String operation, LockedWork<T> work) {
    boolean lookedForOrphans = false;
    int serializationFailures = 0;
    while (true) {
      checkOpen();
      try {
        return work.attempt();
      } catch (SQLException e) {
        SqlStates.Kind kind = SqlStates.kindOf(e);
        if (kind == SqlStates.Kind.LOCK_NOT_AVAILABLE && !Thread.currentThread().isInterrupted()) {
          if (!lookedForOrphans && resolveStuckTransactions()) {
            lookedForOrphans = true;
            continue;
          }
          CommitLockTimeoutException timeout =
              new CommitLockTimeoutException(name, commitLockTimeout);
          timeout.initCause(e);
          throw timeout;
        }
        if (kind == SqlStates.Kind.SERIALIZATION && serializationFailures++ < SERIALIZATION_RETRIES) {
          LOG.debug("storage '{}': {} hit a serialisation failure; running it again", name,
              operation, e);
          continue;
        }
        throw failure(operation, e);
      }
    }
  }

  /** What the commit lock statement read: the last tid, and the stored objects' current serials. */
  private record Locked(Tid last, long[] serials, long newObjects) {}

  /**
   * Starts the transaction on {@code c} (auto-commit off) in READ COMMITTED with the lock timeout,
   * takes the commit lock and reads, in the same round trip, the current serial of every object in
   * {@code oids} (0 for a new one); null {@code oids} reads none.
   */
  private Locked lock(Connection c, long[] oids) throws SQLException {
    boolean withSerials = oids != null && oids.length > 0;
    String sql = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = "
        + lockTimeoutMillis + "; " + schema.lockState + (withSerials ? "; " + schema.currentSerials : "");
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      if (withSerials) {
        statement.setArray(1, c.createArrayOf("int8", boxed(oids)));
      }
      boolean isResult = statement.execute();
      Tid last = null;
      long[] serials = new long[withSerials ? oids.length : 0];
      long newObjects = 0;
      while (true) {
        if (isResult) {
          try (ResultSet rows = statement.getResultSet()) {
            if (last == null) {
              rows.next();
              last = seen(Tid.of(rows.getLong(1)));
            } else {
              for (int i = 0; rows.next(); i++) {
                serials[i] = rows.getLong(1);
                if (rows.wasNull()) {
                  newObjects++;
                }
              }
            }
          }
        } else if (statement.getUpdateCount() == -1) {
          break;
        }
        isResult = statement.getMoreResults();
      }
      if (last == null) {
        throw new SQLException("the commit lock statement returned no state row");
      }
      return new Locked(last, serials, newObjects);
    }
  }

  /**
   * Writes a transaction's revisions, its row and the new state row, followed by {@code suffix}
   * (the PREPARE of a vote): one round trip for a transaction of up to
   * {@value Schema#MAX_INLINE_REVISIONS} records and {@link Schema#MAX_INLINE_BYTES} bytes, where
   * everything goes in one statement string; a larger one sends its revisions as a batch first.
   */
  private void writeTransaction(Connection c, Tid tid, TransactionMeta meta,
      List<DataRecord> records, long newObjects, long bytes, String suffix) throws SQLException {
    boolean inline = records.size() <= Schema.MAX_INLINE_REVISIONS && bytes <= Schema.MAX_INLINE_BYTES;
    if (!inline) {
      try (PreparedStatement insert = c.prepareStatement(schema.insertRevision)) {
        for (int i = 0; i < records.size(); i++) {
          bindRevision(insert, 1, tid, i, records.get(i));
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
    String revisions = inline && !records.isEmpty() ? schema.insertRevisions(records.size()) + "; " : "";
    try (PreparedStatement write = c.prepareStatement(revisions + schema.insertTransaction + suffix)) {
      int p = 1;
      if (!revisions.isEmpty()) {
        for (int i = 0; i < records.size(); i++) {
          p = bindRevision(write, p, tid, i, records.get(i));
        }
      }
      write.setLong(p++, tid.value());
      write.setBytes(p++, MetaCodec.encode(meta));
      write.setLong(p++, tid.value());
      write.setLong(p++, newObjects);
      write.setLong(p, bytes);
      write.execute();
    }
  }

  private static int bindRevision(PreparedStatement insert, int from, Tid tid, int seq,
      DataRecord record) throws SQLException {
    insert.setLong(from, record.oid().value());
    insert.setLong(from + 1, tid.value());
    insert.setInt(from + 2, seq);
    insert.setBytes(from + 3, record.data());
    return from + 4;
  }

  /** A tid taken meanwhile (the unique key said so): the answer, with the last tid now. */
  private StaleTidException staleTid(Tid tid, SQLException cause) {
    Tid last;
    try {
      last = read("read the last transaction", this::lastTid);
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
      last = tid;
    }
    StaleTidException stale = new StaleTidException(tid, last);
    stale.initCause(cause);
    return stale;
  }

  /** Ends the transaction on {@code c} unless it ended well, and gives the connection back. */
  private void release(Connection c, boolean done) {
    try {
      if (!done) {
        c.rollback();
      }
      c.setAutoCommit(true);
    } catch (SQLException e) {
      LOG.debug("storage '{}': resetting a connection failed; the pool drops it", name, e);
    } finally {
      closeQuietly(c, null);
    }
  }

  private void closeQuietly(Connection c, Throwable failure) {
    try {
      c.close();
    } catch (SQLException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      } else {
        LOG.debug("storage '{}': closing a connection failed", name, e);
      }
    }
  }

  /**
   * Rolls back what may be holding the commit lock without a live writer: this instance's abandoned
   * prepared transactions and other instances' orphans.
   *
   * @return whether it rolled back anything
   */
  private boolean resolveStuckTransactions() {
    boolean resolved = settleAbandoned();
    try (Connection c = connection()) {
      resolved |= owner.resolveOrphans(c, false) > 0;
    } catch (SQLException e) {
      LOG.debug("storage '{}': looking for orphaned prepared transactions failed", name, e);
    }
    return resolved;
  }

  /** Rolls back this instance's abandoned prepared transactions; returns whether one was there. */
  private boolean settleAbandoned() {
    boolean rolledBack = false;
    for (Gid gid : List.copyOf(abandonedGids)) {
      PreparedTransactions.SettleResult result = prepared.settle(gid, 0, false, 1);
      if (result.outcome() != PreparedTransactions.Outcome.UNKNOWN) {
        abandonedGids.remove(gid);
        rolledBack |= result.wasPrepared();
      }
    }
    return rolledBack;
  }

  /**
   * Rolls back {@code gid}; if the database cannot tell, keeps it to roll back later. Never throws:
   * a transaction that is never committed is as good as rolled back, and later is soon.
   */
  private void rollBack(Gid gid, int attempts) {
    PreparedTransactions.SettleResult result = prepared.settle(gid, 0, false, attempts);
    if (result.outcome() == PreparedTransactions.Outcome.UNKNOWN) {
      abandonedGids.add(gid);
      LOG.warn("storage '{}': cannot roll back the prepared transaction {} now ({}); it is rolled"
          + " back later, by this storage or the next one to open the schema", name, gid,
          result.failure() == null ? "no answer" : result.failure().getMessage());
    } else {
      abandonedGids.remove(gid);
    }
  }

  private RuntimeException failure(String operation, SQLException e) {
    if (closed && !Thread.currentThread().isInterrupted()) {
      StorageClosedException closedFailure = new StorageClosedException(name);
      closedFailure.initCause(e);
      return closedFailure;
    }
    return SqlStates.failure(name, operation, e);
  }

  private void checkOpen() {
    if (closed) {
      throw new StorageClosedException(name);
    }
  }

  private static Long[] boxed(long[] values) {
    Long[] boxed = new Long[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }

  // ---------------------------------------------------------------------------------------------
  // Transactions

  /**
   * A transaction: buffers its stores; votes with one database transaction ending in
   * {@code PREPARE TRANSACTION}, commits with {@code COMMIT PREPARED}.
   */
  private final class PostgresTransaction extends BufferedTransaction {
    private Tid tid = Tid.NONE;
    private Gid gid;
    /** The server process of the connection that sent PREPARE. */
    private int votePid;
    /** PREPARE was sent and no reply said whether it took effect. */
    private boolean prepareInDoubt;
    /** COMMIT PREPARED was sent (so its outcome is settled by commit, not by abort). */
    private boolean commitSent;

    PostgresTransaction(TransactionMeta meta, Tid requestedTid) {
      super(meta, requestedTid, limits, name);
    }

    /** Stores are buffered and checked at vote, in one statement; here only the storage must be open. */
    @Override
    protected void checkStore(Store store) {
      checkOpen();
    }

    @Override
    protected void onVote(List<Store> stores) {
      checkOpen();
      if (!abandonedGids.isEmpty()) {
        settleAbandoned();
      }
      long[] oids = new long[stores.size()];
      List<DataRecord> records = new ArrayList<>(stores.size());
      long bytes = 0;
      for (int i = 0; i < oids.length; i++) {
        Store store = stores.get(i);
        oids[i] = store.oid().value();
        records.add(store.toRecord());
        bytes += store.data().length;
      }
      long totalBytes = bytes;
      underCommitLock("vote", () -> voteOnce(stores, oids, records, totalBytes));
      votedGids.add(gid);
    }

    private Void voteOnce(List<Store> stores, long[] oids, List<DataRecord> records, long bytes)
        throws SQLException {
      Connection c = connection();
      votePid = OwnerLock.backendPid(c);
      boolean done = false;
      boolean prepareSent = false;
      try {
        owner.ensureHeld(c);
        c.setAutoCommit(false);
        Locked locked = lock(c, oids);
        for (int i = 0; i < stores.size(); i++) {
          Store store = stores.get(i);
          if (locked.serials()[i] != store.expectedSerial().value()) {
            throw new ConflictException(store.oid(), store.expectedSerial(),
                Tid.of(locked.serials()[i]));
          }
        }
        Tid requested = requestedTid();
        if (requested.isNone()) {
          tid = tids.next(locked.last());
        } else if (!requested.isAfter(locked.last())) {
          throw new StaleTidException(requested, locked.last());
        } else {
          tid = requested;
        }
        gid = new Gid(gidPrefix, owner.id(), tid, gidSequence.incrementAndGet());
        prepareSent = true;
        writeTransaction(c, tid, meta(), records, locked.newObjects(), bytes,
            "; PREPARE TRANSACTION '" + gid.text() + "'");
        done = true;
        return null;
      } catch (SQLException e) {
        // Only a broken connection (or an interrupt, which breaks it) leaves PREPARE in doubt: any
        // error the server reported ended the transaction, which then never prepared.
        prepareInDoubt = prepareSent && (SqlStates.kindOf(e) == SqlStates.Kind.CONNECTION
            || Thread.currentThread().isInterrupted());
        if (SqlStates.kindOf(e) == SqlStates.Kind.UNIQUE_VIOLATION) {
          throw staleTid(tid, e);
        }
        throw e;
      } catch (RuntimeException | Error e) {
        prepareInDoubt = prepareSent;
        throw e;
      } finally {
        release(c, done);
      }
    }

    @Override
    protected Tid onCommit() {
      checkOpen();
      Connection c;
      try {
        c = connection();
      } catch (SQLException e) {
        // COMMIT PREPARED was never sent: not committed, and it never will be.
        votedGids.remove(gid);
        abandonedGids.add(gid);
        throw failure("commit " + tid + " (not committed; the prepared transaction is rolled back"
            + " once the database answers)", e);
      }
      int commitPid = OwnerLock.backendPid(c);
      commitSent = true;
      try {
        PreparedTransactions.finish(c, gid, true);
      } catch (SQLException e) {
        return settleCommit(commitPid, e);
      } finally {
        closeQuietly(c, null);
      }
      votedGids.remove(gid);
      return seen(tid);
    }

    /** COMMIT PREPARED went out but no reply came back: find out, and finish it if need be. */
    private Tid settleCommit(int commitPid, SQLException cause) {
      votedGids.remove(gid);
      PreparedTransactions.SettleResult result = prepared.settle(gid, commitPid, true, 3);
      switch (result.outcome()) {
        case COMMITTED -> {
          LOG.debug("storage '{}': the reply to committing {} was lost, and it committed", name,
              tid, cause);
          return seen(tid);
        }
        case ROLLED_BACK -> throw new PostgresStorageException("storage '" + name + "': "
            + tid + " did not commit: its prepared transaction is gone (rolled back by a storage"
            + " that found this instance's session gone); " + cause.getMessage(),
            SqlStates.sqlStateOf(cause), cause);
        default -> {
          abandonedGids.add(gid);
          CommitOutcomeUnknownException unknown = new CommitOutcomeUnknownException("storage '"
              + name + "': cannot tell whether " + tid + " committed: the connection broke during"
              + " COMMIT PREPARED and the database cannot be reached (" + cause.getMessage() + ")",
              tid, cause);
          if (result.failure() != null) {
            unknown.addSuppressed(result.failure());
          }
          throw unknown;
        }
      }
    }

    @Override
    protected void onAbort(boolean voted) {
      if (gid == null || voted && commitSent) {
        return; // nothing prepared, or the commit settled it
      }
      if (voted) {
        votedGids.remove(gid);
        rollBack(gid, 3);
      } else if (prepareInDoubt) {
        PreparedTransactions.SettleResult result = prepared.settle(gid, votePid, false, 3);
        if (result.outcome() == PreparedTransactions.Outcome.UNKNOWN) {
          abandonedGids.add(gid);
        }
      }
    }
  }
}
