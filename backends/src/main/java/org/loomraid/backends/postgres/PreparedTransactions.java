package org.loomraid.backends.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.loomraid.storage.Tid;

/**
 * Ends prepared transactions, and finds out how one ended when the connection that sent
 * {@code PREPARE}, {@code COMMIT PREPARED} or {@code ROLLBACK PREPARED} broke before the reply
 * (a network failure, a server restart, or an interrupt, which closes a virtual thread's socket).
 *
 * <p>Finding out ({@link #settle}) works on a fresh connection: it first waits until the old
 * connection's server process has ended, so that the answer cannot change afterwards, then looks
 * the gid up in {@code pg_prepared_xacts} and the tid up in the storage's transactions, and drives
 * a transaction still prepared to the wanted end. It tries a few times, a short pause apart, and gives up when the database stays unreachable. The caller's interrupt
 * status is cleared meanwhile (an interrupted virtual thread cannot use a socket) and set again
 * afterwards.
 */
final class PreparedTransactions {

  /** How a prepared transaction ended, as far as {@link #settle} could tell. */
  enum Outcome {
    /** It committed (now, or before). */
    COMMITTED,
    /** It was rolled back (now, or before), or never prepared. */
    ROLLED_BACK,
    /** The database could not be asked. */
    UNKNOWN
  }

  private static final Duration PAUSE = Duration.ofMillis(200);
  private static final Duration OLD_STATEMENT_WAIT = Duration.ofSeconds(5);

  private final ConnectionSource connections;
  private final Schema schema;

  PreparedTransactions(ConnectionSource connections, Schema schema) {
    this.connections = connections;
    this.schema = schema;
  }

  /** Where connections come from; the storage's pool. */
  @FunctionalInterface
  interface ConnectionSource {
    Connection get() throws SQLException;
  }

  /** Sends {@code COMMIT PREPARED} or {@code ROLLBACK PREPARED} for {@code gid} on {@code c}. */
  static void finish(Connection c, Gid gid, boolean commit) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute((commit ? "COMMIT" : "ROLLBACK") + " PREPARED '" + gid.text() + "'");
    }
  }

  /**
   * Finds out how the transaction {@code gid} ended and, if it is still prepared, ends it:
   * committing it if {@code commit}, rolling it back otherwise.
   *
   * @param oldPid the server process of the connection whose reply was lost, or 0 if there is none
   * @param attempts how often to try reaching the database, at least 1
   * @return the outcome; {@link Outcome#UNKNOWN} only if the database could not be asked
   */
  SettleResult settle(Gid gid, int oldPid, boolean commit, int attempts) {
    boolean interrupted = Thread.interrupted();
    try {
      SQLException last = null;
      for (int attempt = 0; attempt < attempts; attempt++) {
        if (attempt > 0 && Thread.currentThread().isInterrupted()) {
          break; // interrupted again while settling: the caller wants an answer now
        }
        if (attempt > 0) {
          LockSupport.parkNanos(PAUSE.toNanos() * attempt);
        }
        try (Connection c = connections.get()) {
          c.setAutoCommit(true);
          if (oldPid != 0) {
            awaitStatementEnd(c, oldPid);
          }
          if (isPrepared(c, gid)) {
            finish(c, gid, commit);
            return new SettleResult(commit ? Outcome.COMMITTED : Outcome.ROLLED_BACK, true, null);
          }
          return new SettleResult(isCommitted(c, gid.tid()) ? Outcome.COMMITTED
              : Outcome.ROLLED_BACK, false, null);
        } catch (SQLException e) {
          last = e;
        }
      }
      return new SettleResult(Outcome.UNKNOWN, false, last);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The outcome of {@link #settle}.
   *
   * @param outcome how the transaction ended
   * @param wasPrepared whether it was still prepared, so that settling it ended it
   * @param failure why it is unknown, or null
   */
  record SettleResult(Outcome outcome, boolean wasPrepared, SQLException failure) {}

  /**
   * Waits (bounded) until the server process {@code pid} has ended. A process whose client is gone
   * still runs what it had received and ends when it next reads from or writes to the socket; only
   * then can nothing it was sent still take effect.
   */
  private static void awaitStatementEnd(Connection c, int pid) throws SQLException {
    long deadline = System.nanoTime() + OLD_STATEMENT_WAIT.toNanos();
    try (PreparedStatement active = c.prepareStatement(
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = ?)")) {
      active.setInt(1, pid);
      while (true) {
        try (ResultSet row = active.executeQuery()) {
          row.next();
          if (!row.getBoolean(1) || System.nanoTime() > deadline) {
            return;
          }
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }
  }

  private static boolean isPrepared(Connection c, Gid gid) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(
        "SELECT EXISTS (SELECT 1 FROM pg_prepared_xacts WHERE gid = ?)")) {
      query.setString(1, gid.text());
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  private boolean isCommitted(Connection c, Tid tid) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(schema.isCommitted)) {
      query.setLong(1, tid.value());
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }
}
