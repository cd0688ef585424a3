package org.loomraid.backends.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * Streams committed transactions from one query: a server-side cursor (auto-commit off, a fetch
 * size), so that the whole history is never in memory, read in a single snapshot taken when the
 * iterator is created. Holds its pooled connection until it is exhausted or closed.
 */
final class PostgresTransactionIterator implements TransactionIterator {

  private final String storage;
  private final Consumer<PostgresTransactionIterator> onClose;
  private final Connection connection;
  private final PreparedStatement statement;
  private final ResultSet rows;
  private boolean rowPending;
  private TransactionRecord next;
  private boolean closed;

  private PostgresTransactionIterator(String storage, Consumer<PostgresTransactionIterator> onClose,
      Connection connection, PreparedStatement statement, ResultSet rows) throws SQLException {
    this.storage = storage;
    this.onClose = onClose;
    this.connection = connection;
    this.statement = statement;
    this.rows = rows;
    this.rowPending = rows.next();
  }

  /**
   * Runs the query on {@code connection}, which the iterator owns from then on (and closes even if
   * this fails).
   */
  static PostgresTransactionIterator start(String storage, Schema schema, Connection connection,
      Tid after, int fetchSize, Consumer<PostgresTransactionIterator> onClose) throws SQLException {
    PreparedStatement statement = null;
    try {
      connection.setAutoCommit(false);
      statement = connection.prepareStatement(schema.transactionsAfter);
      statement.setFetchSize(fetchSize);
      statement.setLong(1, after.value());
      ResultSet rows = statement.executeQuery();
      return new PostgresTransactionIterator(storage, onClose, connection, statement, rows);
    } catch (SQLException | RuntimeException e) {
      release(connection, statement, null, e);
      throw e;
    }
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (closed) {
      return false;
    }
    if (!rowPending) {
      close();
      return false;
    }
    try {
      next = readTransaction();
      return true;
    } catch (SQLException e) {
      RuntimeException failure = SqlStates.failure(storage, "read the history", e);
      close();
      throw failure;
    } catch (IllegalStateException e) {
      close();
      throw new PostgresStorageException("storage '" + storage + "': a stored transaction's"
          + " metadata cannot be read: " + e.getMessage(), null, e);
    }
  }

  /** Reads the rows of one transaction: its own, then one per record, in record order. */
  private TransactionRecord readTransaction() throws SQLException {
    long tid = rows.getLong(1);
    TransactionMeta meta = MetaCodec.decode(rows.getBytes(2));
    List<DataRecord> records = new ArrayList<>();
    do {
      long oid = rows.getLong(3);
      if (!rows.wasNull()) {
        records.add(new DataRecord(Oid.of(oid), rows.getBytes(4)));
      }
      rowPending = rows.next();
    } while (rowPending && rows.getLong(1) == tid);
    return new TransactionRecord(Tid.of(tid), meta, records);
  }

  @Override
  public TransactionRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    TransactionRecord record = next;
    next = null;
    return record;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    next = null;
    release(connection, statement, rows, null);
    onClose.accept(this);
  }

  /** Ends the read-only transaction and gives the connection back; never throws. */
  private static void release(Connection connection, PreparedStatement statement, ResultSet rows,
      Throwable failure) {
    boolean interrupted = Thread.interrupted(); // an interrupted virtual thread cannot talk to the server
    try {
      if (rows != null) {
        rows.close();
      }
      if (statement != null) {
        statement.close();
      }
      connection.rollback();
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      }
    } finally {
      try {
        connection.close();
      } catch (SQLException e) {
        if (failure != null) {
          failure.addSuppressed(e);
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
