package org.loomraid.backends.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.loomraid.storage.BufferedTransaction;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction of a {@link RemoteStorage}: stores are buffered here and travel with the vote;
 * the commit goes to the connection the vote went to (the server keeps the transaction there).
 */
final class RemoteTransaction extends BufferedTransaction {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteTransaction.class);

  private final RemoteStorage storage;
  private final long transactionId;
  private ClientConnection connection;
  /** Whether the server may hold state for this transaction (sent, and no definite answer yet). */
  private boolean serverHolds;
  /** Whether a vote or commit failed without an answer: then an abort does not wait. */
  private boolean failed;

  RemoteTransaction(RemoteStorage storage, TransactionMeta meta, Tid requestedTid) {
    super(meta, requestedTid);
    this.storage = storage;
    this.transactionId = storage.nextTransactionId();
  }

  /** Stores stay here until the vote; a closed storage refuses them at once. */
  @Override
  protected void checkStore(Store store) {
    storage.checkOpen();
  }

  @Override
  protected void onVote(List<Store> stores) {
    storage.checkOpen();
    List<OutgoingFrame> frames = TransactionFrames.encode(storage::nextRequestId, Op.VOTE,
        transactionId, requestedTid(), meta(), stores);
    RemoteStorage.Exchange reply;
    try {
      serverHolds = true;
      reply = storage.sendTransaction(frames, storage.deadline(), "VOTE", c -> connection = c);
    } catch (RuntimeException | Error e) {
      failed = true;
      throw e;
    }
    connection = reply.connection();
    serverHolds = reply.response().code() == Protocol.STATUS_OK;
    storage.result(reply, in -> null);
  }

  @Override
  protected Tid onCommit() {
    storage.checkOpen();
    OutgoingFrame commit = storage.frame(Op.COMMIT, out -> out.writeLong(transactionId));
    RemoteStorage.Exchange reply;
    try {
      reply = new RemoteStorage.Exchange(connection,
          connection.call(commit, storage.deadline(), "COMMIT"));
    } catch (IOException e) {
      failed = true;
      serverHolds = false;
      throw storage.lost("COMMIT (the server aborts the voted transaction when the connection"
          + " breaks)", connection, e);
    } catch (RuntimeException | Error e) {
      failed = true;
      throw e;
    }
    serverHolds = false;
    Tid tid = storage.result(reply, PayloadReader::readTid);
    storage.noteLast(tid);
    return tid;
  }

  @Override
  protected void onAbort(boolean voted) {
    if (!serverHolds) {
      return;
    }
    serverHolds = false;
    ClientConnection target = connection;
    if (target == null || target.isBroken()) {
      return; // never voted on a live connection, or the server aborts it as the connection ended
    }
    OutgoingFrame abort = storage.frame(Op.ABORT, out -> out.writeLong(transactionId));
    try {
      if (failed || Thread.currentThread().isInterrupted()) {
        target.sendOneWay(abort); // queued behind the vote or commit; its response is discarded
      } else {
        storage.result(new RemoteStorage.Exchange(target,
            target.call(abort, storage.deadline(), "ABORT")), in -> null);
      }
    } catch (IOException | UncheckedIOException | StorageInterruptedException e) {
      // The server aborts the transaction when the connection ends; a queued abort still arrives.
      LOG.debug("abort of transaction {} on {} not confirmed: {}", transactionId, target, e.toString());
    }
  }
}
