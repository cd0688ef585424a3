package org.loomraid.backends.postgres;

/**
 * A PostgreSQL operation of a {@link PostgresStorage} failed: the server could not be reached, it
 * refused the storage's setup (no prepared transactions, no privileges, a read-only server), or it
 * raised an error that is not one of the storage answers. A <em>failure</em>, deliberately not a
 * {@link org.loomraid.storage.StorageException}: a RAID takes a backend that throws it out of
 * service. The message names the storage, the operation and, where the server gave one, the
 * SQLSTATE and what to do.
 */
public class PostgresStorageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String sqlState;

  /**
   * Creates the failure.
   *
   * @param message what failed, naming the storage
   * @param sqlState the server's SQLSTATE, or null if there was none
   * @param cause the driver's exception, or null
   */
  public PostgresStorageException(String message, String sqlState, Throwable cause) {
    super(message, cause);
    this.sqlState = sqlState;
  }

  /** Returns the five-character SQLSTATE the server or driver gave, or null if there was none. */
  public String sqlState() {
    return sqlState;
  }
}
