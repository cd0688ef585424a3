package org.loomraid.storage;

/**
 * The storage has been closed. A failure, not an answer: it is deliberately not a
 * {@link StorageException}.
 */
public class StorageClosedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** Creates the failure for storage {@code name}. */
  public StorageClosedException(String name) {
    super("storage '" + name + "' is closed");
  }
}
