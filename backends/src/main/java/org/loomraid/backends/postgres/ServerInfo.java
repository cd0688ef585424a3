package org.loomraid.backends.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a storage needs to know about its server, read once at open, and the checks that refuse a
 * server it cannot use: one that cannot prepare transactions or does not accept writes.
 *
 * @param databaseOid the oid of the connected database (part of every gid)
 * @param version the server's version, as it reports it
 * @param maxPreparedTransactions the server's {@code max_prepared_transactions}
 */
record ServerInfo(long databaseOid, String version, int maxPreparedTransactions) {

  /**
   * Reads the server's settings on {@code c} and refuses one the storage cannot use.
   *
   * @throws PostgresStorageException naming what to change
   */
  static ServerInfo check(Connection c, String storage) throws SQLException {
    try (Statement query = c.createStatement();
        ResultSet row = query.executeQuery("SELECT (SELECT oid::bigint FROM pg_database WHERE"
            + " datname = current_database()), current_setting('server_version'),"
            + " current_setting('max_prepared_transactions')::int,"
            + " current_setting('transaction_read_only'), pg_is_in_recovery()")) {
      row.next();
      ServerInfo info = new ServerInfo(row.getLong(1), row.getString(2), row.getInt(3));
      if (info.maxPreparedTransactions() <= 0) {
        throw new PostgresStorageException("storage '" + storage + "': the PostgreSQL server has"
            + " max_prepared_transactions = " + info.maxPreparedTransactions() + ", so it cannot"
            + " prepare transactions, which every commit does; set max_prepared_transactions in"
            + " postgresql.conf to at least the number of storages that commit at the same time"
            + " (plus other users of prepared transactions), for example 64, and restart the server",
            null, null);
      }
      if (row.getBoolean(5)) {
        throw new PostgresStorageException("storage '" + storage + "': the PostgreSQL server is"
            + " a standby in recovery and accepts no writes; open the storage on the primary", null,
            null);
      }
      if ("on".equals(row.getString(4))) {
        throw new PostgresStorageException("storage '" + storage + "': the database session is"
            + " read-only (default_transaction_read_only is on for this user or database); a"
            + " PostgresStorage always writes, so open it as a user whose sessions may write", null,
            null);
      }
      return info;
    }
  }
}
