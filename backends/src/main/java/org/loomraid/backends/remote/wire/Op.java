package org.loomraid.backends.remote.wire;

/**
 * The operation codes of request frames. Every {@code Storage} method that needs the server has
 * one; a transaction's stores travel with its vote ({@link #STAGE} only splits a transaction that
 * does not fit one frame).
 *
 * <p>Two properties drive flow control ({@code docs/protocol.md}, "Back-pressure"): a
 * <em>one-way</em> operation gets no response; a <em>bounded</em> operation counts against the
 * connection's request limit, announced in the hello. Operations that end work others may be
 * waiting for ({@link #COMMIT}, {@link #ABORT}, {@link #ITER_CLOSE}) are never bounded, so they can
 * never queue behind the requests that wait for them.
 */
public enum Op {
  AUTH(0x01, false, false),
  LAST_TRANSACTION(0x10, false, true),
  NEW_OID(0x11, false, true),
  RESERVE_OIDS(0x12, false, true),
  LOAD(0x13, false, true),
  LOAD_BEFORE(0x14, false, true),
  LOAD_SERIAL(0x15, false, true),
  STATS(0x16, false, true),
  PACK(0x17, false, true),
  STAGE(0x20, true, false),
  VOTE(0x21, false, true),
  COMMIT(0x22, false, false),
  ABORT(0x23, false, false),
  RESTORE(0x24, false, true),
  OUTCOME(0x25, false, true),
  ITER_OPEN(0x30, false, true),
  ITER_NEXT(0x31, false, true),
  ITER_CLOSE(0x32, true, false),
  ADMIN_STATUS(0x40, false, true),
  ADMIN_BACKENDS(0x41, false, true),
  ADMIN_DISABLE(0x42, false, true),
  ADMIN_RECOVER(0x43, false, true),
  ADMIN_ADD(0x44, false, true),
  ADMIN_REMOVE(0x45, false, true),
  ADMIN_SCRUB(0x46, false, true),
  ADMIN_SCRUB_STATUS(0x47, false, true),
  ADMIN_SCRUB_CANCEL(0x48, false, true);

  private static final Op[] BY_CODE = new Op[256];

  static {
    for (Op op : values()) {
      BY_CODE[op.code] = op;
    }
  }

  /** The operation's code on the wire. */
  public final int code;

  /** Whether the operation gets no response. */
  public final boolean oneWay;

  /** Whether the operation counts against the connection's request limit. */
  public final boolean bounded;

  Op(int code, boolean oneWay, boolean bounded) {
    this.code = code;
    this.oneWay = oneWay;
    this.bounded = bounded;
  }

  /** Returns the operation with this code, or null if there is none. */
  public static Op of(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
