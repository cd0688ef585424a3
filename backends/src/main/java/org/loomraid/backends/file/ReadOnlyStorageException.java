package org.loomraid.backends.file;

/**
 * A write (a transaction, a restore, a pack, an object id allocation) was attempted on a storage
 * opened read-only. A failure, not a storage answer: the storage was configured not to write.
 */
public class ReadOnlyStorageException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception for storage {@code name} refusing {@code operation}. */
  public ReadOnlyStorageException(String name, String operation) {
    super("storage '" + name + "' is read-only: cannot " + operation);
  }
}
