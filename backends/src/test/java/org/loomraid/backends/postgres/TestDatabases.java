package org.loomraid.backends.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * The PostgreSQL server the tests share: one embedded server per test JVM, started on first use
 * (from the binaries the build downloaded as Maven artifacts) and stopped when the JVM exits; one
 * pool per database; a fresh schema per storage, which is much cheaper than a fresh database.
 *
 * <p>Public for the command line's tests, which run a RAID front-end over these databases.
 *
 * <p>The server runs with {@code synchronous_commit = on}, so an acknowledged commit is in the
 * write-ahead log before the server answers and survives the server being killed, and with
 * {@code fsync} off (the embedded default), since no test crashes the machine.
 */
public final class TestDatabases {

  /** Settings every test server gets; prepared transactions on, commits synchronous. */
  static final Map<String, String> SERVER_CONFIG = Map.of(
      "max_prepared_transactions", "64",
      "max_connections", "300",
      "synchronous_commit", "on",
      "shared_buffers", "32MB");

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static final Map<String, HikariDataSource> POOLS = new ConcurrentHashMap<>();
  private static EmbeddedPostgres server;

  private TestDatabases() {}

  /** Returns the shared server, starting it on first use. */
  public static EmbeddedPostgres server() {
    LOCK.lock();
    try {
      if (server == null) {
        server = start(EmbeddedPostgres.builder());
      }
      return server;
    } finally {
      LOCK.unlock();
    }
  }

  /** Starts a server with {@link #SERVER_CONFIG} from {@code builder}. */
  static EmbeddedPostgres start(EmbeddedPostgres.Builder builder) {
    SERVER_CONFIG.forEach(builder::setServerConfig);
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
    }
  }

  /** Returns a JDBC URL of {@code database} on the shared server (user postgres, no password). */
  public static String url(String database) {
    return "jdbc:postgresql://localhost:" + server().getPort() + "/" + database;
  }

  /** Returns the shared pool of {@code database} on the shared server, creating both as needed. */
  public static DataSource pool(String database) {
    return POOLS.computeIfAbsent(database, name -> {
      if (!name.equals("postgres")) {
        createDatabase(name);
      }
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url(name));
      config.setUsername("postgres");
      config.setPoolName("test-" + name);
      config.setMaximumPoolSize(40);
      config.setMinimumIdle(2);
      return new HikariDataSource(config);
    });
  }

  /** Returns a schema name no storage in this JVM has used. */
  public static String freshSchema() {
    return "s" + SCHEMAS.incrementAndGet();
  }

  /** Runs {@code sql} as the superuser in {@code database} of the shared server. */
  public static void execute(String database, String sql) {
    try (Connection c = pool(database).getConnection(); Statement statement = c.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static void createDatabase(String name) {
    execute("postgres", "CREATE DATABASE " + name);
  }
}
