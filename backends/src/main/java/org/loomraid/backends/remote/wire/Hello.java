package org.loomraid.backends.remote.wire;

import java.util.Objects;
import org.loomraid.storage.StorageLimits;

/**
 * The server's hello, the first frame of every connection ({@code docs/protocol.md}, "Server
 * hello"): what it serves, how many bounded requests a client may have outstanding, the served
 * storage's limits, and the authentication challenge if one is required.
 *
 * @param flags {@link Protocol#FLAG_AUTH_REQUIRED}, {@link Protocol#FLAG_RAID_ADMIN},
 *     {@link Protocol#FLAG_SCRUB}
 * @param storageName the served storage's name
 * @param maxRequests the most bounded requests a client may have outstanding on the connection
 * @param limits the limits the server enforces on every transaction
 * @param nonce the server's challenge if {@link Protocol#FLAG_AUTH_REQUIRED} is set, else null
 */
public record Hello(int flags, String storageName, int maxRequests, StorageLimits limits,
    byte[] nonce) {

  /** Creates a hello; the nonce must be present exactly when authentication is required. */
  public Hello {
    Objects.requireNonNull(storageName, "storageName");
    Objects.requireNonNull(limits, "limits");
    if (maxRequests < 1) {
      throw new IllegalArgumentException("maxRequests must be at least 1, was " + maxRequests);
    }
    if (((flags & Protocol.FLAG_AUTH_REQUIRED) != 0) != (nonce != null)) {
      throw new IllegalArgumentException("a nonce goes with the authentication flag, and only then");
    }
  }

  /** Whether the server requires shared-secret authentication. */
  public boolean authRequired() {
    return (flags & Protocol.FLAG_AUTH_REQUIRED) != 0;
  }

  /** Whether the server serves a RAID's administration. */
  public boolean raidAdmin() {
    return (flags & Protocol.FLAG_RAID_ADMIN) != 0;
  }

  /** Whether the server serves the scrub operations of a RAID's administration. */
  public boolean scrub() {
    return (flags & Protocol.FLAG_SCRUB) != 0;
  }

  /** Encodes the hello as the frame the server sends. */
  public OutgoingFrame encode() {
    FrameEncoder out = new FrameEncoder(Protocol.HANDSHAKE_REQUEST_ID, Protocol.STATUS_OK);
    out.writeShort(Protocol.VERSION).writeByte(flags).writeString(storageName);
    out.writeInt(maxRequests);
    out.writeInt(limits.maxRecordSize()).writeLong(limits.maxTransactionSize())
        .writeInt(limits.maxMetaSize());
    if (nonce != null) {
      out.writeRaw(nonce);
    }
    return out.finish();
  }

  /**
   * Decodes a hello payload.
   *
   * @throws ProtocolViolationException if it is malformed or speaks another version
   */
  public static Hello decode(PayloadReader in, String address) throws ProtocolViolationException {
    int version = in.readUnsignedShort();
    if (version != Protocol.VERSION) {
      throw new ProtocolViolationException(
          "server at " + address + " answered with protocol version " + version);
    }
    int flags = in.readUnsignedByte();
    String name = in.readString();
    int maxRequests = in.readInt();
    int maxRecordSize = in.readInt();
    long maxTransactionSize = in.readLong();
    int maxMetaSize = in.readInt();
    byte[] nonce = (flags & Protocol.FLAG_AUTH_REQUIRED) != 0
        ? in.readRaw(Protocol.NONCE_LENGTH) : null;
    in.expectEnd();
    try {
      return new Hello(flags, name, maxRequests,
          new StorageLimits(maxRecordSize, maxTransactionSize, maxMetaSize), nonce);
    } catch (IllegalArgumentException e) {
      throw new ProtocolViolationException("bad hello from " + address + ": " + e.getMessage());
    }
  }
}
