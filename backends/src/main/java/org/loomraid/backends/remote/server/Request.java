package org.loomraid.backends.remote.server;

import java.util.List;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.storage.BufferedTransaction.Store;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/** A decoded request, one record per operation (see {@link Op} and {@code docs/protocol.md}). */
sealed interface Request {

  record LastTransaction() implements Request {}

  record NewOid() implements Request {}

  record ReserveOids(Oid through) implements Request {}

  record Load(Oid oid) implements Request {}

  record LoadBefore(Oid oid, Tid tid) implements Request {}

  record LoadSerial(Oid oid, Tid serial) implements Request {}

  record Stats() implements Request {}

  record Pack(Tid before) implements Request {}

  /** How a transaction begins: the tid it must commit under ({@link Tid#NONE}: any) and its meta. */
  record TransactionHeader(Tid tid, TransactionMeta meta) {}

  /**
   * A piece of a transaction: its client-chosen id, its header (in the first piece only) and
   * stores. {@code end} says which operation the piece is: {@link Op#STAGE} (more follows),
   * {@link Op#VOTE} or {@link Op#RESTORE} (the last piece).
   */
  record TransactionPart(Op end, long transactionId, TransactionHeader header, List<Store> stores)
      implements Request {}

  record Commit(long transactionId) implements Request {}

  record Abort(long transactionId) implements Request {}

  /** Asks whether the transaction with this tid committed; see {@code docs/protocol.md}. */
  record Outcome(Tid tid) implements Request {}

  record IterOpen(Tid after, int pageBytes) implements Request {}

  record IterNext(long cursorId, int pageBytes) implements Request {}

  record IterClose(long cursorId) implements Request {}

  record AdminStatus() implements Request {}

  record AdminBackends() implements Request {}

  record AdminDisable(String backend) implements Request {}

  record AdminRecover(String backend) implements Request {}

  record AdminAdd(String backend, String spec) implements Request {}

  record AdminRemove(String backend) implements Request {}

  record AdminScrub(boolean repair, boolean fromStart) implements Request {}

  record AdminScrubStatus() implements Request {}

  record AdminScrubCancel() implements Request {}
}
