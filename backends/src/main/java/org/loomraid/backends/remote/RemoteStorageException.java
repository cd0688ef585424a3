package org.loomraid.backends.remote;

/**
 * A failure reported by a storage server: the served storage threw something that is not an
 * answer (an I/O error, a closed storage, a RAID that has failed), or the server refused the
 * connection or request (wrong protocol version, wrong secret, shutting down).
 *
 * <p>Deliberately not a {@link org.loomraid.storage.StorageException}: to a RAID whose backend is
 * a {@code RemoteStorage}, this is a failure that takes the backend out of service, while the
 * server's answers ({@code ConflictException}, {@code ObjectNotFoundException}, ...) arrive as
 * those very types. Transport problems (no connection, no response in time) arrive as
 * {@link java.io.UncheckedIOException} instead.
 */
public class RemoteStorageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** {@link #remoteType()} of a refusal because the peers speak different protocol versions. */
  public static final String VERSION_MISMATCH = "VERSION_MISMATCH";

  /** {@link #remoteType()} of a refusal because the client did not prove the shared secret. */
  public static final String AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED";

  /** {@link #remoteType()} of a refusal because the server is shutting down. */
  public static final String SHUTTING_DOWN = "SHUTTING_DOWN";

  /** {@link #remoteType()} of a refusal because the server has too many connections. */
  public static final String BUSY = "BUSY";

  /** {@link #remoteType()} of a refusal of an administration call: the server serves no RAID. */
  public static final String NOT_A_RAID = "NOT_A_RAID";

  /** {@link #remoteType()} of a refusal of a request that made no sense to the server. */
  public static final String PROTOCOL = "PROTOCOL";

  /**
   * {@link #remoteType()} of a refusal of a request beyond the connection's request limit (a
   * client that does not respect the limit the server announced).
   */
  public static final String TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS";

  /**
   * {@link #remoteType()} of a call the client refused to send: the server does not announce the
   * operation (it runs an older version that does not know it).
   */
  public static final String UNSUPPORTED = "UNSUPPORTED";

  private final String remoteType;

  /**
   * Creates the failure.
   *
   * @param remoteType the class name of the server-side exception, or one of this class's
   *     constants for a refusal
   * @param message what went wrong, as the server said it
   */
  public RemoteStorageException(String remoteType, String message) {
    super(message);
    this.remoteType = remoteType;
  }

  /**
   * Returns the class name of the exception the served storage threw (for example
   * {@code org.loomraid.storage.StorageClosedException}), or, for a refusal by the server itself,
   * one of {@link #VERSION_MISMATCH}, {@link #AUTHENTICATION_FAILED}, {@link #SHUTTING_DOWN},
   * {@link #BUSY}, {@link #NOT_A_RAID}, {@link #PROTOCOL}, {@link #TOO_MANY_REQUESTS}, or
   * {@link #UNSUPPORTED} for an operation the client did not send.
   */
  public String remoteType() {
    return remoteType;
  }
}
