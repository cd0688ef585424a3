package org.loomraid.backends.remote.wire;

/**
 * The type codes of error payloads. Codes below 16 are answers ({@code StorageException}s); 16 to
 * 31 are the caller's errors and the served storage's failures; from 32 on, refusals by the server
 * itself.
 */
public enum ErrorType {
  /** A {@code StorageException} of a type the protocol does not name. */
  STORAGE(1),
  /** A {@code ConflictException}: oid, expected serial, actual serial. */
  CONFLICT(2),
  /** An {@code ObjectNotFoundException}: oid. */
  OBJECT_NOT_FOUND(3),
  /** A {@code StaleTidException}: tid, last transaction. */
  STALE_TID(4),
  /** A {@code CommitLockTimeoutException}: storage name, nanoseconds waited. */
  COMMIT_LOCK_TIMEOUT(5),
  /** An {@code IdSpaceExhaustedException}: the storage has no tid or object id left. */
  ID_SPACE_EXHAUSTED(6),
  /** An {@code IllegalArgumentException}: the request's arguments were refused. */
  ILLEGAL_ARGUMENT(16),
  /** Any other exception of the served storage: its class name. */
  FAILURE(17),
  /** A {@code LimitExceededException}: limit name, value, bound. */
  LIMIT_EXCEEDED(18),
  /** A {@code CommitOutcomeUnknownException} of the served storage: the tid in doubt. */
  COMMIT_OUTCOME_UNKNOWN(19),
  /** The client speaks a protocol version the server does not: the server's version. */
  VERSION_MISMATCH(32),
  /** The client did not prove it knows the shared secret. */
  AUTHENTICATION_FAILED(33),
  /** The server is shutting down and takes no new work. */
  SHUTTING_DOWN(34),
  /** The server has as many connections as it accepts. */
  BUSY(35),
  /** An administration operation reached a server that serves no RAID administration. */
  NOT_A_RAID(36),
  /** The request was well-formed but made no sense (an unknown transaction or cursor id). */
  PROTOCOL(37),
  /** The client has more bounded requests outstanding than the hello allowed. */
  TOO_MANY_REQUESTS(38);

  private static final ErrorType[] BY_CODE = new ErrorType[256];

  static {
    for (ErrorType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  /** The type's code on the wire. */
  public final int code;

  ErrorType(int code) {
    this.code = code;
  }

  /** Returns the type with this code, or null if there is none. */
  public static ErrorType of(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
