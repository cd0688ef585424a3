package org.loomraid.backends.remote;

/**
 * The operation codes of request frames. Every {@code Storage} method that needs the server has
 * one; a transaction's stores travel with its vote ({@link #STAGE} only splits a transaction that
 * does not fit one frame). One-way operations get no response.
 */
enum Op {
  AUTH(0x01, false),
  LAST_TRANSACTION(0x10, false),
  NEW_OID(0x11, false),
  RESERVE_OIDS(0x12, false),
  LOAD(0x13, false),
  LOAD_BEFORE(0x14, false),
  LOAD_SERIAL(0x15, false),
  STATS(0x16, false),
  PACK(0x17, false),
  STAGE(0x20, true),
  VOTE(0x21, false),
  COMMIT(0x22, false),
  ABORT(0x23, false),
  RESTORE(0x24, false),
  ITER_OPEN(0x30, false),
  ITER_NEXT(0x31, false),
  ITER_CLOSE(0x32, true),
  ADMIN_STATUS(0x40, false),
  ADMIN_BACKENDS(0x41, false),
  ADMIN_DISABLE(0x42, false),
  ADMIN_RECOVER(0x43, false),
  ADMIN_ADD(0x44, false),
  ADMIN_REMOVE(0x45, false);

  private static final Op[] BY_CODE = new Op[256];

  static {
    for (Op op : values()) {
      BY_CODE[op.code] = op;
    }
  }

  final int code;
  final boolean oneWay;

  Op(int code, boolean oneWay) {
    this.code = code;
    this.oneWay = oneWay;
  }

  /** Returns the operation with this code, or null if there is none. */
  static Op of(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
