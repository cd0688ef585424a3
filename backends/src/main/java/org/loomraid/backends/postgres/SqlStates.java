package org.loomraid.backends.postgres;

import java.sql.SQLException;
import org.loomraid.storage.StorageInterruptedException;

/**
 * The one place that tells what a database error means, by its SQLSTATE: which errors are answers
 * a healthy storage gives (a commit lock not had in time, a tid already taken, a transaction the
 * database could not serialise) and which are failures of the backend. Callers decide the answer's
 * exception from the {@link Kind}, since only they know its subject (the tid, the lock timeout);
 * every failure is built here.
 */
final class SqlStates {

  /** What an error means for the storage. */
  enum Kind {
    /** 40001, 40P01: the database could not serialise the transaction; retrying it is safe. */
    SERIALIZATION,
    /** 55P03: a lock (the commit lock) was not had within {@code lock_timeout}. */
    LOCK_NOT_AVAILABLE,
    /** 23505: a unique key (a transaction's tid) is already taken. */
    UNIQUE_VIOLATION,
    /** 42704: no such object; for {@code COMMIT/ROLLBACK PREPARED}, no such prepared transaction. */
    UNDEFINED_OBJECT,
    /** 08xxx, 57P01-57P03, or no SQLSTATE with an I/O cause: the connection broke or was refused. */
    CONNECTION,
    /** 25006, 42501: the server or the user may not write. */
    NOT_WRITABLE,
    /** Anything else: resources (53xxx), operator intervention (57xxx), internal errors. */
    OTHER
  }

  private SqlStates() {}

  /** Returns the SQLSTATE of {@code e} or of the first exception chained to it that has one. */
  static String sqlStateOf(SQLException e) {
    for (SQLException each = e; each != null; each = each.getNextException()) {
      if (each.getSQLState() != null) {
        return each.getSQLState();
      }
    }
    return null;
  }

  /** Classifies {@code e}. */
  static Kind kindOf(SQLException e) {
    String state = sqlStateOf(e);
    if (state == null) {
      return e.getCause() instanceof java.io.IOException ? Kind.CONNECTION : Kind.OTHER;
    }
    return switch (state) {
      case "40001", "40P01" -> Kind.SERIALIZATION;
      case "55P03" -> Kind.LOCK_NOT_AVAILABLE;
      case "23505" -> Kind.UNIQUE_VIOLATION;
      case "42704" -> Kind.UNDEFINED_OBJECT;
      case "25006", "42501" -> Kind.NOT_WRITABLE;
      case "57P01", "57P02", "57P03" -> Kind.CONNECTION;
      default -> state.startsWith("08") ? Kind.CONNECTION : Kind.OTHER;
    };
  }

  /**
   * Returns the failure for {@code e}: a {@link StorageInterruptedException} if the calling thread
   * was interrupted (an interrupt closes a virtual thread's socket, which is how the error came
   * about), a {@link PostgresStorageException} naming the storage, the operation, the SQLSTATE and
   * what to do otherwise.
   */
  static RuntimeException failure(String storage, String operation, SQLException e) {
    String state = sqlStateOf(e);
    String message = "storage '" + storage + "': " + operation + " failed"
        + (state == null ? "" : " (SQLSTATE " + state + ")") + ": " + e.getMessage()
        + hint(kindOf(e));
    if (Thread.currentThread().isInterrupted()) {
      InterruptedException interrupt = new InterruptedException(message);
      interrupt.initCause(e);
      return new StorageInterruptedException(
          "storage '" + storage + "': interrupted during " + operation, interrupt);
    }
    return new PostgresStorageException(message, state, e);
  }

  private static String hint(Kind kind) {
    return switch (kind) {
      case CONNECTION -> "; the database is unreachable or closed the connection";
      case NOT_WRITABLE -> "; the database user needs SELECT, INSERT, UPDATE and DELETE on the"
          + " storage's tables, and the server must accept writes";
      default -> "";
    };
  }
}
