package org.loomraid.backends.remote.wire;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.IdSpaceExhaustedException;
import org.loomraid.storage.LimitExceededException;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.StorageException;

/**
 * Turns exceptions into error payloads and back, so that a server-side answer arrives at the
 * client as the same {@link StorageException} type with the same subject (oid, serials, tids), and
 * an in-doubt commit as a {@link CommitOutcomeUnknownException} with its tid, and anything else as a
 * {@link RemoteStorageException}.
 *
 * <p>Error payload: type code (1 byte), message (string), then the type's subject fields.
 */
public final class ErrorCodec {

  /** The exact message {@link CommitLockTimeoutException}'s only constructor produces. */
  private static final Pattern LOCK_TIMEOUT = Pattern.compile(
      "storage '(.*)': commit lock not acquired within (\\S+) \\(another transaction is between"
          + " vote and commit\\)", Pattern.DOTALL);

  private ErrorCodec() {}

  /** Encodes {@code error}, raised by the storage named {@code storageName}, as an error payload. */
  public static void encode(FrameEncoder out, Throwable error, String storageName) {
    String message = error.getMessage() != null ? error.getMessage() : error.toString();
    switch (error) {
      case ConflictException e -> {
        out.writeByte(ErrorType.CONFLICT.code).writeString(message);
        out.writeOid(e.oid()).writeTid(e.expectedSerial()).writeTid(e.actualSerial());
      }
      case ObjectNotFoundException e -> {
        out.writeByte(ErrorType.OBJECT_NOT_FOUND.code).writeString(message);
        out.writeOid(e.oid());
      }
      case StaleTidException e -> {
        out.writeByte(ErrorType.STALE_TID.code).writeString(message);
        out.writeTid(e.tid()).writeTid(e.lastTransaction());
      }
      case CommitLockTimeoutException e -> encodeLockTimeout(out, message, storageName);
      case IdSpaceExhaustedException e ->
          out.writeByte(ErrorType.ID_SPACE_EXHAUSTED.code).writeString(message);
      case StorageException e ->
          out.writeByte(ErrorType.STORAGE.code).writeString(message)
              .writeString(e.getClass().getName());
      case LimitExceededException e -> {
        out.writeByte(ErrorType.LIMIT_EXCEEDED.code).writeString(message);
        out.writeString(e.limit()).writeLong(e.value()).writeLong(e.bound());
      }
      case CommitOutcomeUnknownException e -> {
        out.writeByte(ErrorType.COMMIT_OUTCOME_UNKNOWN.code).writeString(message);
        out.writeTid(e.tid());
      }
      case IllegalArgumentException e ->
          out.writeByte(ErrorType.ILLEGAL_ARGUMENT.code).writeString(message);
      default ->
          out.writeByte(ErrorType.FAILURE.code).writeString(message)
              .writeString(error.getClass().getName());
    }
  }

  /** Encodes a refusal of the server itself (no subject fields but the version's). */
  public static void encodeRefusal(FrameEncoder out, ErrorType type, String message) {
    out.writeByte(type.code).writeString(message);
    if (type == ErrorType.VERSION_MISMATCH) {
      out.writeShort(Protocol.VERSION);
    }
  }

  /**
   * Decodes an error payload into the exception to throw at the client.
   *
   * @throws ProtocolViolationException if the payload is malformed
   */
  public static RuntimeException decode(PayloadReader in) throws ProtocolViolationException {
    int code = in.readUnsignedByte();
    ErrorType type = ErrorType.of(code);
    if (type == null) {
      throw new ProtocolViolationException("unknown error type " + code);
    }
    String message = in.readString();
    RuntimeException decoded = switch (type) {
      case CONFLICT -> new ConflictException(in.readOid(), in.readTid(), in.readTid());
      case OBJECT_NOT_FOUND -> new ObjectNotFoundException(in.readOid(), message);
      case STALE_TID -> new StaleTidException(in.readTid(), in.readTid());
      case COMMIT_LOCK_TIMEOUT ->
          new CommitLockTimeoutException(in.readString(), Duration.ofNanos(in.readLong()));
      case STORAGE -> {
        String remoteType = in.readString();
        yield new StorageException(
            remoteType.equals(StorageException.class.getName())
                ? message
                : message + " (" + remoteType + " at the server)");
      }
      case ID_SPACE_EXHAUSTED -> new IdSpaceExhaustedException(message);
      case ILLEGAL_ARGUMENT -> new IllegalArgumentException(message);
      case LIMIT_EXCEEDED -> new LimitExceededException(message, in.readString(), in.readLong(),
          in.readLong());
      case COMMIT_OUTCOME_UNKNOWN -> new CommitOutcomeUnknownException(message, in.readTid(), null);
      case FAILURE -> {
        String remoteType = in.readString();
        yield new RemoteStorageException(remoteType,
            "server failed: " + message + " (" + remoteType + ")");
      }
      case VERSION_MISMATCH -> {
        int serverVersion = in.readUnsignedShort();
        yield new RemoteStorageException(RemoteStorageException.VERSION_MISMATCH,
            message + " (server speaks version " + serverVersion + ", this client "
                + Protocol.VERSION + ")");
      }
      case AUTHENTICATION_FAILED ->
          new RemoteStorageException(RemoteStorageException.AUTHENTICATION_FAILED, message);
      case SHUTTING_DOWN ->
          new RemoteStorageException(RemoteStorageException.SHUTTING_DOWN, message);
      case BUSY -> new RemoteStorageException(RemoteStorageException.BUSY, message);
      case NOT_A_RAID -> new RemoteStorageException(RemoteStorageException.NOT_A_RAID, message);
      case PROTOCOL -> new RemoteStorageException(RemoteStorageException.PROTOCOL, message);
      case TOO_MANY_REQUESTS ->
          new RemoteStorageException(RemoteStorageException.TOO_MANY_REQUESTS, message);
    };
    in.expectEnd();
    return decoded;
  }

  /**
   * {@link CommitLockTimeoutException} has no accessors, but its one constructor formats the
   * message from the storage name and the wait, so the two are read back from it; a subclass with
   * another message falls back to the served storage's name and a zero wait.
   */
  private static void encodeLockTimeout(FrameEncoder out, String message, String storageName) {
    String name = storageName;
    Duration waited = Duration.ZERO;
    Matcher matcher = LOCK_TIMEOUT.matcher(message);
    if (matcher.matches()) {
      try {
        waited = Duration.parse(matcher.group(2));
        name = matcher.group(1);
      } catch (DateTimeParseException e) {
        // keep the fallback
      }
    }
    out.writeByte(ErrorType.COMMIT_LOCK_TIMEOUT.code).writeString(message);
    out.writeString(name).writeLong(saturatedNanos(waited));
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
