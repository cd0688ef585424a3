package org.loomraid.storage;

/**
 * An <em>answer</em> from a healthy storage that refused a request (a conflict, an unknown object,
 * a stale tid). The root of every answer: a RAID passes an agreed answer to its caller and keeps
 * the backend in service. Anything else a storage throws is a failure.
 */
public class StorageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates an answer with a message. */
  public StorageException(String message) {
    super(message);
  }

  /** Creates an answer with a message and a cause. */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
