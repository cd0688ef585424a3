package org.loomraid.backends.remote.wire;

/**
 * The constants of the wire protocol, shared by client and server; {@code docs/protocol.md}
 * describes every byte.
 *
 * <p>The preamble and the frame header never change between protocol versions, so that peers of
 * different versions can always exchange the one error frame that says they disagree.
 */
public final class Protocol {

  /** The first four bytes a client sends: ASCII {@code LMRD}. */
  public static final int MAGIC = 0x4C4D5244;

  /**
   * The protocol version this code speaks. Version 2 added the request limit and the storage's
   * limits to the hello, the {@code OUTCOME} request, the outcome in the {@code ABORT} response, and
   * the error types {@code COMMIT_OUTCOME_UNKNOWN} and {@code TOO_MANY_REQUESTS}.
   */
  public static final int VERSION = 2;

  /** Bytes of the preamble: magic (4), version (2), reserved (2). */
  public static final int PREAMBLE_LENGTH = 8;

  /** Bytes of a frame after its length field and before its payload: request id (8), code (1). */
  public static final int HEADER_LENGTH = 9;

  /** The largest value of a frame's length field: 32 MiB (a 16 MiB record always fits). */
  public static final int MAX_FRAME_LENGTH = 32 * 1024 * 1024;

  /** The largest payload a frame can carry. */
  public static final int MAX_PAYLOAD_LENGTH = MAX_FRAME_LENGTH - HEADER_LENGTH;

  /** The largest frame accepted before the handshake (and authentication) has completed. */
  public static final int MAX_HANDSHAKE_FRAME_LENGTH = 4096;

  /**
   * The largest part of a payload a receiver allocates before the bytes have arrived: a frame that
   * announces more grows its buffer as its bytes come in, so a peer that announces a large frame
   * and then sends nothing holds no more than this.
   */
  public static final int PAYLOAD_CHUNK = 64 * 1024;

  /** The request id of the server's hello frame and of the client's authentication frame. */
  public static final long HANDSHAKE_REQUEST_ID = 0;

  /** Response code: the request succeeded; the payload is the operation's result. */
  public static final int STATUS_OK = 0;

  /** Response code: the request failed; the payload is an error (see {@link ErrorType}). */
  public static final int STATUS_ERROR = 1;

  /** Hello flag: the server requires shared-secret authentication. */
  public static final int FLAG_AUTH_REQUIRED = 1;

  /** Hello flag: the server serves a RAID's administration operations. */
  public static final int FLAG_RAID_ADMIN = 2;

  /**
   * Hello flag: the server also serves the scrub operations ({@code ADMIN_SCRUB},
   * {@code ADMIN_SCRUB_STATUS}, {@code ADMIN_SCRUB_CANCEL}); a server that knows them sets it with
   * {@link #FLAG_RAID_ADMIN}. A client sends them only to a server that sets it, as an older one
   * closes the connection on an operation it does not know.
   */
  public static final int FLAG_SCRUB = 4;

  /** Bytes of an authentication nonce. */
  public static final int NONCE_LENGTH = 32;

  /** Bytes of an authentication MAC (HMAC-SHA256). */
  public static final int MAC_LENGTH = 32;

  /** Bytes of a store's fixed part in a transaction piece: oid (8), expected serial (8), count (4). */
  public static final int STORE_OVERHEAD = 20;

  /** Bytes of a transaction piece's fixed part: transaction id (8), header flag (1), count (4). */
  public static final int PIECE_OVERHEAD = 8 + 1 + 4;

  /**
   * The largest metadata (as {@link org.loomraid.storage.TransactionMeta#byteSize()} counts it) a
   * client sends: with its length fields it always fits the first frame of a transaction.
   */
  public static final int MAX_META_SIZE = 8 * 1024 * 1024;

  /** The page size a client asks for when it iterates transactions. */
  public static final int DEFAULT_PAGE_BYTES = 1024 * 1024;

  /** The smallest page a server fills (a smaller request is raised to this). */
  public static final int MIN_PAGE_BYTES = 4096;

  /** The largest page a server fills (a larger request is lowered to this). */
  public static final int MAX_PAGE_BYTES = MAX_PAYLOAD_LENGTH / 2;

  /** Page item: end of page, more follows. */
  public static final int ITEM_END_OF_PAGE = 0;

  /** Page item: a transaction's tid, meta and record count. */
  public static final int ITEM_TRANSACTION = 1;

  /** Page item: one record of the last transaction item. */
  public static final int ITEM_RECORD = 2;

  /** Page item: the iteration is complete. */
  public static final int ITEM_END = 3;

  /** Outcome of a transaction ({@code ABORT} and {@code OUTCOME} results): it did not commit. */
  public static final int OUTCOME_NOT_COMMITTED = 0;

  /** Outcome of a transaction: it committed (the tid follows in an {@code ABORT} result). */
  public static final int OUTCOME_COMMITTED = 1;

  private Protocol() {}
}
