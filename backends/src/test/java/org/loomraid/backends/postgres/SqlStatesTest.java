package org.loomraid.backends.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.loomraid.backends.postgres.SqlStates.Kind;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.StorageInterruptedException;

/** The one mapping from SQLSTATE to meaning: answers are few, everything else is a failure. */
class SqlStatesTest {

  private static SQLException error(String state) {
    return new SQLException("server said no", state);
  }

  @Test
  void eachSqlStateMeansWhatTheStorageDocuments() {
    assertEquals(Kind.SERIALIZATION, SqlStates.kindOf(error("40001")));
    assertEquals(Kind.SERIALIZATION, SqlStates.kindOf(error("40P01")));
    assertEquals(Kind.LOCK_NOT_AVAILABLE, SqlStates.kindOf(error("55P03")));
    assertEquals(Kind.UNIQUE_VIOLATION, SqlStates.kindOf(error("23505")));
    assertEquals(Kind.UNDEFINED_OBJECT, SqlStates.kindOf(error("42704")));
    assertEquals(Kind.NOT_WRITABLE, SqlStates.kindOf(error("25006")));
    assertEquals(Kind.NOT_WRITABLE, SqlStates.kindOf(error("42501")));
    for (String connection : new String[] {"08000", "08001", "08003", "08006", "57P01", "57P02",
        "57P03"}) {
      assertEquals(Kind.CONNECTION, SqlStates.kindOf(error(connection)), connection);
    }
    for (String other : new String[] {"53100", "53200", "57014", "XX000", "22001", "42P01"}) {
      assertEquals(Kind.OTHER, SqlStates.kindOf(error(other)), other);
    }
    assertEquals(Kind.CONNECTION, SqlStates.kindOf(new SQLException("gone", null, new IOException())));
    assertEquals(Kind.OTHER, SqlStates.kindOf(new SQLException("no state")));
  }

  @Test
  void theStateOfAChainedExceptionCounts() {
    SQLException batch = new SQLException("batch failed");
    batch.setNextException(error("23505"));
    assertEquals("23505", SqlStates.sqlStateOf(batch));
    assertEquals(Kind.UNIQUE_VIOLATION, SqlStates.kindOf(batch));
  }

  @Test
  void aFailureIsNeverAnAnswerAndNamesTheStorageTheOperationAndTheState() {
    RuntimeException failure = SqlStates.failure("orders", "vote", error("08006"));
    assertTrue(failure instanceof PostgresStorageException, failure.toString());
    assertFalse(failure instanceof StorageException);
    assertEquals("08006", ((PostgresStorageException) failure).sqlState());
    assertTrue(failure.getMessage().contains("'orders'") && failure.getMessage().contains("vote")
        && failure.getMessage().contains("08006") && failure.getMessage().contains("unreachable"),
        failure.getMessage());
  }

  @Test
  void aFailureOnAnInterruptedThreadIsAnInterruptedCall() {
    Thread.currentThread().interrupt();
    try {
      RuntimeException failure = SqlStates.failure("orders", "load", error("08006"));
      assertTrue(failure instanceof StorageInterruptedException, failure.toString());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }
}
