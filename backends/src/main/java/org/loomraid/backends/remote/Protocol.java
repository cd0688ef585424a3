package org.loomraid.backends.remote;

/**
 * The constants of the wire protocol; {@code docs/protocol.md} describes every byte.
 *
 * <p>The preamble and the frame header never change between protocol versions, so that peers of
 * different versions can always exchange the one error frame that says they disagree.
 */
final class Protocol {

  /** The first four bytes a client sends: ASCII {@code LMRD}. */
  static final int MAGIC = 0x4C4D5244;

  /** The protocol version this code speaks. */
  static final int VERSION = 1;

  /** Bytes of the preamble: magic (4), version (2), reserved (2). */
  static final int PREAMBLE_LENGTH = 8;

  /** Bytes of a frame after its length field and before its payload: request id (8), code (1). */
  static final int HEADER_LENGTH = 9;

  /** The largest value of a frame's length field: 32 MiB (a 16 MiB record always fits). */
  static final int MAX_FRAME_LENGTH = 32 * 1024 * 1024;

  /** The largest payload a frame can carry. */
  static final int MAX_PAYLOAD_LENGTH = MAX_FRAME_LENGTH - HEADER_LENGTH;

  /** The largest frame accepted before the handshake (and authentication) has completed. */
  static final int MAX_HANDSHAKE_FRAME_LENGTH = 4096;

  /** The request id of the server's hello frame and of the client's authentication frame. */
  static final long HANDSHAKE_REQUEST_ID = 0;

  /** Response code: the request succeeded; the payload is the operation's result. */
  static final int STATUS_OK = 0;

  /** Response code: the request failed; the payload is an error (see {@link ErrorType}). */
  static final int STATUS_ERROR = 1;

  /** Hello flag: the server requires shared-secret authentication. */
  static final int FLAG_AUTH_REQUIRED = 1;

  /** Hello flag: the served storage is a RAID, so the administration operations are available. */
  static final int FLAG_RAID_ADMIN = 2;

  /** Bytes of an authentication nonce. */
  static final int NONCE_LENGTH = 32;

  /** Bytes of an authentication MAC (HMAC-SHA256). */
  static final int MAC_LENGTH = 32;

  /** The page size a client asks for when it iterates transactions. */
  static final int DEFAULT_PAGE_BYTES = 1024 * 1024;

  private Protocol() {}
}
