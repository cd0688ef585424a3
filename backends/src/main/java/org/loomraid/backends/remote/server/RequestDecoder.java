package org.loomraid.backends.remote.server;

import java.util.ArrayList;
import java.util.List;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.backends.remote.wire.ProtocolViolationException;
import org.loomraid.storage.BufferedTransaction.Store;
import org.loomraid.storage.Tid;

/** Decodes request payloads; anything malformed is a {@link ProtocolViolationException}. */
final class RequestDecoder {

  private RequestDecoder() {}

  static Request decode(Op op, PayloadReader in) throws ProtocolViolationException {
    Request request = switch (op) {
      case LAST_TRANSACTION -> new Request.LastTransaction();
      case NEW_OID -> new Request.NewOid();
      case RESERVE_OIDS -> new Request.ReserveOids(in.readOid());
      case LOAD -> new Request.Load(in.readOid());
      case LOAD_BEFORE -> new Request.LoadBefore(in.readOid(), in.readTid());
      case LOAD_SERIAL -> new Request.LoadSerial(in.readOid(), in.readTid());
      case STATS -> new Request.Stats();
      case PACK -> new Request.Pack(in.readTid());
      case STAGE, VOTE, RESTORE -> decodePart(op, in);
      case COMMIT -> new Request.Commit(in.readLong());
      case ABORT -> new Request.Abort(in.readLong());
      case OUTCOME -> new Request.Outcome(in.readTid());
      case ITER_OPEN -> new Request.IterOpen(in.readTid(), in.readInt());
      case ITER_NEXT -> new Request.IterNext(in.readLong(), in.readInt());
      case ITER_CLOSE -> new Request.IterClose(in.readLong());
      case ADMIN_STATUS -> new Request.AdminStatus();
      case ADMIN_BACKENDS -> new Request.AdminBackends();
      case ADMIN_DISABLE -> new Request.AdminDisable(in.readString());
      case ADMIN_RECOVER -> new Request.AdminRecover(in.readString());
      case ADMIN_ADD -> new Request.AdminAdd(in.readString(), in.readString());
      case ADMIN_REMOVE -> new Request.AdminRemove(in.readString());
      case ADMIN_SCRUB -> new Request.AdminScrub(in.readBoolean(), in.readBoolean());
      case ADMIN_SCRUB_STATUS -> new Request.AdminScrubStatus();
      case ADMIN_SCRUB_CANCEL -> new Request.AdminScrubCancel();
      case AUTH -> throw new ProtocolViolationException("AUTH is only valid during the handshake");
    };
    in.expectEnd();
    return request;
  }

  private static Request decodePart(Op op, PayloadReader in) throws ProtocolViolationException {
    long transactionId = in.readLong();
    Request.TransactionHeader header = null;
    if (in.readBoolean()) {
      Tid tid = in.readTid();
      header = new Request.TransactionHeader(tid, in.readMeta());
    }
    int count = in.readCount(Protocol.STORE_OVERHEAD, "stores");
    List<Store> stores = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      stores.add(new Store(in.readOid(), in.readTid(), in.readData()));
    }
    return new Request.TransactionPart(op, transactionId, header, stores);
  }
}
