package org.loomraid.jmh;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PostgreSQL server a benchmark commits to: an embedded one it starts itself (from binaries
 * shipped as a Maven artifact, on Linux x86-64), or one already running, named by its JDBC URL.
 * Backend {@code i} of a benchmark lives in database {@code b<i>}.
 */
final class PostgresServer implements AutoCloseable {

  /** The {@code server} parameter value that asks for an embedded server. */
  static final String EMBEDDED = "embedded";

  private final EmbeddedPostgres embedded;
  private final String base;

  private PostgresServer(EmbeddedPostgres embedded, String base) {
    this.embedded = embedded;
    this.base = base;
  }

  /**
   * Starts an embedded server. With {@code durable} its write-ahead log is synced to the device
   * at every commit ({@code fsync} and {@code synchronous_commit} on, as a production server
   * runs); without, the log is written but never synced.
   */
  static PostgresServer startEmbedded(boolean durable) {
    try {
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setServerConfig("max_prepared_transactions", "32")
          .setServerConfig("max_connections", "100")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("fsync", durable ? "on" : "off")
          .start();
      return new PostgresServer(server, "jdbc:postgresql://localhost:" + server.getPort() + "/");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded PostgreSQL server", e);
    }
  }

  /**
   * Uses the running server of {@code url} (a {@code jdbc:postgresql://host:port/database} URL
   * whose parameters, such as {@code user}, are kept for every database).
   */
  static PostgresServer running(String url) {
    int slash = url.indexOf('/', "jdbc:postgresql://".length());
    if (!url.startsWith("jdbc:postgresql://") || slash < 0) {
      throw new IllegalArgumentException("server must be 'embedded' or a jdbc:postgresql://host/db"
          + " URL, was " + url);
    }
    return new PostgresServer(null, url.substring(0, slash + 1) + "%s" + query(url));
  }

  private static String query(String url) {
    int question = url.indexOf('?');
    return question < 0 ? "" : url.substring(question);
  }

  /** Returns the JDBC URL of {@code database}, with the user parameter of an embedded server. */
  String url(String database) {
    return embedded != null ? base + database + "?user=postgres" : base.formatted(database);
  }

  /** Creates databases {@code b0 .. b<count-1>} where they do not exist. */
  void createBackendDatabases(int count) {
    try (Connection c = DriverManager.getConnection(url("postgres"));
        Statement statement = c.createStatement()) {
      for (int i = 0; i < count; i++) {
        try (ResultSet exists = statement.executeQuery(
            "SELECT 1 FROM pg_database WHERE datname = 'b" + i + "'")) {
          if (exists.next()) {
            continue;
          }
        }
        statement.execute("CREATE DATABASE b" + i);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the benchmark databases: " + e.getMessage(), e);
    }
  }

  /** Drops {@code schema} in every backend database (after an iteration). */
  void dropSchema(String schema, int count) {
    for (int i = 0; i < count; i++) {
      try (Connection c = DriverManager.getConnection(url("b" + i));
          Statement statement = c.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      } catch (SQLException e) {
        throw new IllegalStateException("cannot drop " + schema + " in b" + i + ": " + e.getMessage(), e);
      }
    }
  }

  /** The settings that decide what a commit costs, as the server reports them. */
  Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(url("postgres"));
        Statement statement = c.createStatement()) {
      for (String name : new String[] {"server_version", "synchronous_commit", "fsync",
          "wal_sync_method", "full_page_writes", "max_prepared_transactions"}) {
        try (ResultSet row = statement.executeQuery("SHOW " + name)) {
          row.next();
          settings.put(name, row.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the server's settings: " + e.getMessage(), e);
    }
    return settings;
  }

  /** Describes the server in one line: where, and the settings. */
  String describe() {
    return (embedded != null ? "embedded, port " + embedded.getPort() : base.formatted("<db>"))
        + ", " + settings().toString().replaceAll("[{}]", "");
  }

  /** Stops an embedded server; leaves a running one alone. */
  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
