package org.loomraid.backends.remote.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.OutgoingFrame;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.storage.BufferedTransaction;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction of a {@link RemoteStorage}: stores are buffered here (checked against the served
 * storage's limits as they are made) and travel with the vote; the commit goes to the connection
 * the vote went to (the server keeps the transaction there).
 *
 * <p>Once the {@code COMMIT} has been queued, the transaction's fate is the server's: nothing here
 * sends an abort after it, and a commit whose response does not come is either settled by asking
 * the server ({@link RemoteStorage#resolveLost}) or reported as
 * {@link CommitOutcomeUnknownException}, never as a plain failure.
 */
final class RemoteTransaction extends BufferedTransaction {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteTransaction.class);

  private final RemoteStorage storage;
  private final long transactionId;
  private ClientConnection connection;
  /** Whether the server may hold state for this transaction (sent, and no definite answer yet). */
  private boolean serverHolds;
  /** Whether the vote failed without an answer: then an abort does not wait. */
  private boolean failed;
  /** Whether the COMMIT was queued: from then on only the server decides. */
  private boolean commitSent;

  RemoteTransaction(RemoteStorage storage, TransactionMeta meta, Tid requestedTid) {
    super(meta, requestedTid, storage.limits(), storage.storageName());
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
      reply = storage.sendTransaction(frames, storage.deadline(), "VOTE", c -> {
        connection = c;
        serverHolds = true;
      });
    } catch (RemoteStorage.Unsent e) {
      throw e.failure;
    } catch (RemoteStorage.Sent e) {
      failed = true;
      if (e.cause instanceof RemoteStorage.InterruptedIOException interrupted) {
        throw (StorageInterruptedException) interrupted.getCause();
      }
      throw storage.lost("VOTE", connection, e.cause);
    }
    serverHolds = reply.response().code() == Protocol.STATUS_OK;
    storage.result(reply, in -> null);
  }

  @Override
  protected Tid onCommit() {
    storage.checkOpen();
    OutgoingFrame commit = storage.frame(Op.COMMIT, out -> out.writeLong(transactionId));
    long deadline = storage.deadline();
    String what = "COMMIT of " + (requestedTid().isNone() ? "transaction " + transactionId
        : requestedTid().toString());
    CompletableFuture<Frame> pending;
    try {
      pending = connection.send(commit, false, deadline, "COMMIT");
    } catch (IOException e) {
      // Never left this client: the server aborts the voted transaction with the connection.
      serverHolds = false;
      throw new UncheckedIOException(what + " not sent: the connection to " + connection.address()
          + " broke after the vote, and the server aborts the transaction (it did not commit)", e);
    }
    commitSent = true;
    serverHolds = false;
    Frame response;
    try {
      response = connection.await(pending, commit.requestId(), deadline, "COMMIT");
    } catch (ClientConnection.NoResponseException e) {
      throw storage.inDoubt(what, requestedTid(), e);
    } catch (StorageInterruptedException e) {
      throw storage.inDoubt(what, requestedTid(), new RemoteStorage.InterruptedIOException(e));
    } catch (IOException e) {
      storage.resolveLost(what, requestedTid(), deadline, e);
      storage.noteLast(requestedTid());
      return requestedTid();
    }
    Tid tid = storage.result(new RemoteStorage.Exchange(connection, response),
        PayloadReader::readTid);
    storage.noteLast(tid);
    return tid;
  }

  @Override
  protected void onAbort(boolean voted) {
    if (!serverHolds || commitSent) {
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
        target.sendOneWay(abort); // queued behind the vote; its response is discarded
      } else {
        storage.result(new RemoteStorage.Exchange(target,
            target.call(abort, false, storage.deadline(), "ABORT")), in -> {
              in.readUnsignedByte();
              if (in.remaining() > 0) {
                in.readTid();
              }
              return null;
            });
      }
    } catch (IOException | UncheckedIOException | StorageInterruptedException e) {
      // The server aborts the transaction when the connection ends; a queued abort still arrives.
      LOG.debug("abort of transaction {} on {} not confirmed: {}", transactionId, target,
          e.toString());
    }
  }
}
