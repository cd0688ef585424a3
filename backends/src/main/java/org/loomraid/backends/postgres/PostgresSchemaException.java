package org.loomraid.backends.postgres;

/**
 * The database schema a {@link PostgresStorage} was opened on is not one it can use: it holds
 * tables that are not a loomraid storage, or a schema version this release does not know (written
 * by a newer release, or damaged). Raised by {@link PostgresStorage.Builder#open()} before anything
 * is written. A failure, not a storage answer.
 */
public class PostgresSchemaException extends PostgresStorageException {

  private static final long serialVersionUID = 1L;

  /** Creates the failure with a message naming the schema, what was found and what to do. */
  public PostgresSchemaException(String message) {
    super(message, null, null);
  }
}
