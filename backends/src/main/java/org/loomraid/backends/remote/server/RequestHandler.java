package org.loomraid.backends.remote.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.loomraid.backends.remote.wire.BackendView;
import org.loomraid.backends.remote.wire.ErrorCodec;
import org.loomraid.backends.remote.wire.ErrorType;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.OutgoingFrame;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.backends.remote.wire.ScrubView;
import org.loomraid.storage.BufferedTransaction.Store;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one connection's requests against the served storage and encodes the responses: every
 * storage exception becomes an error response ({@link ErrorCodec}); nothing here touches the
 * socket. Holds the connection's transactions and cursors, and aborts and closes them when the
 * connection ends ({@link #releaseAll()}).
 *
 * <p>Ids a storage must never be given (a tid above {@link Tid#MAX}, an oid above
 * {@link Oid#MAX}) are refused here, before the storage is called, with an
 * {@code ILLEGAL_ARGUMENT} error: a remote client cannot poison a storage that forgets to check.
 */
final class RequestHandler {

  private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

  static final int MAX_OPEN_CURSORS = 64;

  private final Storage storage;
  private final ActivityCounter activity;
  private final RaidAdministration admin;
  private final OpenTransactions open;
  private final Map<Long, ServerTransaction> transactions = new ConcurrentHashMap<>();
  private final Map<Long, ServerCursor> cursors = new ConcurrentHashMap<>();
  private final AtomicLong nextCursorId = new AtomicLong(1);
  /** Set once the connection has ended; a cursor opened after that is closed at once. */
  private volatile boolean released;

  RequestHandler(Storage storage, ActivityCounter activity, RaidAdministration admin,
      OpenTransactions open) {
    this.storage = storage;
    this.activity = activity;
    this.admin = admin;
    this.open = open;
  }

  Map<Long, ServerTransaction> transactions() {
    return transactions;
  }

  /** Creates a staged transaction of this connection (on the reader thread). */
  ServerTransaction newTransaction(long id) {
    ServerTransaction t = new ServerTransaction(id, this::finished);
    transactions.put(id, t);
    return t;
  }

  /** Registers a transaction about to be voted or restored under its client's tid. */
  void dispatched(ServerTransaction t) {
    t.dispatched = true;
    if (!t.tid.isNone()) {
      open.add(t);
    }
  }

  private void finished(ServerTransaction t, boolean wasVoted) {
    if (wasVoted) {
      activity.end();
    }
    transactions.remove(t.id, t);
    if (!t.tid.isNone()) {
      open.remove(t);
    }
  }

  /** Executes a request that has no transaction or cursor state; returns the response frame. */
  OutgoingFrame execute(long requestId, Request request) {
    FrameEncoder ok = new FrameEncoder(requestId, Protocol.STATUS_OK);
    try {
      switch (request) {
        case Request.LastTransaction r -> ok.writeTid(storage.lastTransaction());
        case Request.NewOid r -> ok.writeOid(storage.newOid());
        case Request.ReserveOids r ->
            storage.reserveOids(Oid.checkInRange(r.through(), "reserveOids through"));
        case Request.Load r -> ok.writeRevision(storage.load(r.oid()));
        case Request.LoadBefore r -> {
          Optional<Revision> revision = storage.loadBefore(r.oid(), r.tid());
          ok.writeBoolean(revision.isPresent());
          revision.ifPresent(ok::writeRevision);
        }
        case Request.LoadSerial r -> ok.writeRevision(storage.loadSerial(r.oid(), r.serial()));
        case Request.Stats r -> {
          StorageStats stats = storage.stats();
          ok.writeLong(stats.objects()).writeLong(stats.transactions()).writeLong(stats.bytes());
        }
        case Request.Pack r -> storage.pack(r.before());
        case Request.Outcome r -> ok.writeByte(outcome(r.tid()));
        case Request.IterOpen r -> {
          return openCursor(requestId, r);
        }
        case Request.IterNext r -> {
          return nextPage(requestId, r);
        }
        case Request.AdminStatus r -> ok.writeString(admin.status());
        case Request.AdminBackends r -> {
          List<BackendView> backends = admin.backends();
          ok.writeInt(backends.size());
          backends.forEach(backend -> backend.encode(ok));
        }
        case Request.AdminDisable r -> admin.disable(r.backend());
        case Request.AdminRecover r -> admin.recover(r.backend()).encode(ok);
        case Request.AdminAdd r -> admin.add(r.backend(), r.spec());
        case Request.AdminRemove r -> admin.remove(r.backend());
        case Request.AdminScrub r -> admin.scrub(r.repair(), r.fromStart()).encode(ok);
        case Request.AdminScrubStatus r -> writeScrub(ok, admin.lastScrub());
        case Request.AdminScrubCancel r -> writeScrub(ok, admin.cancelScrub());
        default -> throw new IllegalStateException("not a stateless request: " + request);
      }
      return ok.finish();
    } catch (RuntimeException | Error e) {
      return error(requestId, e);
    }
  }

  /** Votes a staged transaction (the last piece has been added by the reader thread). */
  OutgoingFrame vote(long requestId, ServerTransaction t) {
    t.lock.lock();
    try {
      OutgoingFrame refused = refuseIfEnded(requestId, t);
      if (refused != null) {
        return refused;
      }
      checkIds(t);
      List<Store> stores = t.staged;
      t.staged = List.of();
      StorageTransaction txn = t.tid.isNone() ? storage.begin(t.meta) : storage.begin(t.meta, t.tid);
      t.storageTransaction = txn;
      for (Store store : stores) {
        txn.store(store.oid(), store.expectedSerial(), store.data());
      }
      txn.vote();
      t.voted = true;
      activity.begin();
      return new FrameEncoder(requestId, Protocol.STATUS_OK).finish();
    } catch (RuntimeException | Error e) {
      t.abortLocked();
      return error(requestId, e);
    } finally {
      t.lock.unlock();
    }
  }

  /** Restores a staged transaction verbatim. */
  OutgoingFrame restore(long requestId, ServerTransaction t) {
    t.lock.lock();
    try {
      OutgoingFrame refused = refuseIfEnded(requestId, t);
      if (refused != null) {
        return refused;
      }
      checkIds(t);
      List<DataRecord> records = new ArrayList<>(t.staged.size());
      for (Store store : t.staged) {
        records.add(store.toRecord());
      }
      t.staged = List.of();
      try {
        storage.restore(new TransactionRecord(t.tid, t.meta, records));
      } catch (RuntimeException | Error e) {
        t.finishLocked(Tid.NONE, e);
        return error(requestId, e);
      }
      t.finishLocked(t.tid, null);
      return new FrameEncoder(requestId, Protocol.STATUS_OK).finish();
    } catch (RuntimeException | Error e) {
      t.abortLocked();
      return error(requestId, e);
    } finally {
      t.lock.unlock();
    }
  }

  /** Commits a voted transaction; its outcome is published to whoever waits for it. */
  OutgoingFrame commit(long requestId, ServerTransaction t) {
    t.lock.lock();
    try {
      if (!t.voted || t.finished) {
        t.abortLocked();
        return refusal(requestId, ErrorType.PROTOCOL, t + " was aborted before its COMMIT arrived"
            + " (it did not commit)");
      }
      Tid tid;
      try {
        tid = t.storageTransaction.commit();
      } catch (RuntimeException | Error e) {
        t.finishLocked(Tid.NONE, e);
        return error(requestId, e);
      }
      t.finishLocked(tid, null);
      return new FrameEncoder(requestId, Protocol.STATUS_OK).writeTid(tid).finish();
    } finally {
      t.lock.unlock();
    }
  }

  /** Aborts a transaction whose COMMIT has not arrived; reports it did not commit. */
  OutgoingFrame abort(long requestId, ServerTransaction t) {
    try {
      t.abort();
    } catch (RuntimeException | Error e) {
      return error(requestId, e);
    }
    return abortResult(requestId, Tid.NONE, null);
  }

  /**
   * The response to an {@code ABORT}: the transaction's outcome, committed (with its tid) or not;
   * if its commit failed, the commit's error.
   */
  OutgoingFrame abortResult(long requestId, Tid committed, Throwable failure) {
    if (failure != null) {
      return error(requestId, failure);
    }
    FrameEncoder ok = new FrameEncoder(requestId, Protocol.STATUS_OK);
    if (committed.isNone()) {
      ok.writeByte(Protocol.OUTCOME_NOT_COMMITTED);
    } else {
      ok.writeByte(Protocol.OUTCOME_COMMITTED).writeTid(committed);
    }
    return ok.finish();
  }

  /**
   * Whether the transaction with {@code tid} committed. Unfinished transactions with that tid are
   * settled first, on every connection: one whose COMMIT has not arrived is aborted (whoever asks
   * has given up on it, so it never commits later), one being committed is waited for. Then the
   * storage's history answers, and the answer is final.
   */
  private int outcome(Tid tid) {
    Tid.requireReal(tid, "tid");
    Tid.checkInRange(tid, "tid");
    for (ServerTransaction t : open.withTid(tid)) {
      if (!t.commitRequested) {
        t.abortRequested = true;
        t.abort();
      }
      awaitQuietly(t);
    }
    return committed(tid) ? Protocol.OUTCOME_COMMITTED : Protocol.OUTCOME_NOT_COMMITTED;
  }

  private boolean committed(Tid tid) {
    if (tid.isAfter(storage.lastTransaction())) {
      return false;
    }
    try (TransactionIterator history = storage.transactions(Tid.of(tid.value() - 1))) {
      return history.hasNext() && history.next().tid().equals(tid);
    }
  }

  private static void awaitQuietly(ServerTransaction t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.outcome.get();
        break;
      } catch (ExecutionException e) {
        break; // the commit failed: the history tells what happened
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes a cursor the client no longer needs (one-way: no response). */
  void closeCursor(long cursorId) {
    ServerCursor cursor = cursors.remove(cursorId);
    if (cursor != null) {
      cursor.lock.lock();
      try {
        cursor.closeLocked();
      } catch (RuntimeException e) {
        LOG.debug("closing cursor {} failed", cursorId, e);
      } finally {
        cursor.lock.unlock();
      }
    }
  }

  /**
   * Ends the connection's transactions and closes its cursors: called once, by the reader thread,
   * after the connection has closed (so no new ones can appear). A transaction whose COMMIT
   * arrived is left to its commit, which is already under way; every other one is aborted.
   */
  void releaseAll() {
    released = true;
    for (ServerTransaction t : transactions.values()) {
      if (t.commitRequested) {
        continue;
      }
      t.abortRequested = true;
      try {
        t.abort();
      } catch (RuntimeException | Error e) {
        LOG.warn("aborting {} of a closed connection failed: {}", t, e.toString());
      }
    }
    for (Long cursorId : cursors.keySet()) {
      closeCursor(cursorId);
    }
  }

  private OutgoingFrame refuseIfEnded(long requestId, ServerTransaction t) {
    if (t.finished || t.abortRequested) {
      t.abortLocked();
      return refusal(requestId, ErrorType.PROTOCOL, t + " was aborted");
    }
    if (t.stagingError != null) {
      t.abortLocked();
      return new FrameEncoder(requestId, Protocol.STATUS_ERROR)
          .writeByte(ErrorType.ILLEGAL_ARGUMENT.code).writeString(t.stagingError).finish();
    }
    return null;
  }

  /** Refuses ids beyond the ends of the id spaces before the storage sees them. */
  private static void checkIds(ServerTransaction t) {
    Tid.checkInRange(t.tid, "tid");
    for (Store store : t.staged) {
      Oid.checkInRange(store.oid(), "oid");
    }
  }

  private OutgoingFrame openCursor(long requestId, Request.IterOpen r) {
    if (cursors.size() >= MAX_OPEN_CURSORS) {
      return refusal(requestId, ErrorType.PROTOCOL,
          "too many open transaction iterators on this connection (limit " + MAX_OPEN_CURSORS + ")");
    }
    ServerCursor cursor = new ServerCursor(nextCursorId.getAndIncrement(),
        storage.transactions(r.after()));
    cursors.put(cursor.id, cursor);
    if (released) {
      closeCursor(cursor.id); // the connection ended while the cursor was being opened
      return refusal(requestId, ErrorType.PROTOCOL, "connection closed");
    }
    FrameEncoder ok = new FrameEncoder(requestId, Protocol.STATUS_OK);
    ok.writeLong(cursor.id);
    return fillPage(requestId, ok, cursor, r.pageBytes());
  }

  private OutgoingFrame nextPage(long requestId, Request.IterNext r) {
    ServerCursor cursor = cursors.get(r.cursorId());
    if (cursor == null) {
      return refusal(requestId, ErrorType.PROTOCOL,
          "no open transaction iterator " + r.cursorId() + " on this connection");
    }
    return fillPage(requestId, new FrameEncoder(requestId, Protocol.STATUS_OK), cursor,
        r.pageBytes());
  }

  /**
   * Adds items until the page reaches {@code pageBytes} (or the frame limit: an item that does not
   * fit goes on the next page), then an end marker. Closes the cursor at the end of the iteration
   * or on a failure.
   */
  private OutgoingFrame fillPage(long requestId, FrameEncoder page, ServerCursor cursor,
      int pageBytes) {
    int budget = Math.clamp(pageBytes, Protocol.MIN_PAGE_BYTES, Protocol.MAX_PAGE_BYTES);
    cursor.lock.lock();
    try {
      if (cursor.closed) {
        return refusal(requestId, ErrorType.PROTOCOL, "transaction iterator " + cursor.id
            + " is closed");
      }
      int items = 0;
      while (page.payloadSize() < budget) {
        if (cursor.current == null) {
          if (!cursor.iterator.hasNext()) {
            page.writeByte(Protocol.ITEM_END);
            cursors.remove(cursor.id);
            cursor.closeLocked();
            return page.finish();
          }
          cursor.current = cursor.iterator.next();
          cursor.headerSent = false;
          cursor.nextRecord = 0;
        }
        TransactionRecord current = cursor.current;
        if (!cursor.headerSent) {
          byte[] meta = FrameEncoder.encodeMeta(current.meta());
          if (!fits(page, 1 + 8 + meta.length + 4, items)) {
            break;
          }
          page.writeByte(Protocol.ITEM_TRANSACTION).writeTid(current.tid()).writeRaw(meta)
              .writeInt(current.records().size());
          cursor.headerSent = true;
        } else if (cursor.nextRecord < current.records().size()) {
          DataRecord record = current.records().get(cursor.nextRecord);
          if (!fits(page, 1 + 8 + 4 + record.length(), items)) {
            break;
          }
          page.writeByte(Protocol.ITEM_RECORD).writeOid(record.oid()).writeBytes(record.data());
          cursor.nextRecord++;
        } else {
          cursor.current = null;
          continue;
        }
        items++;
      }
      page.writeByte(Protocol.ITEM_END_OF_PAGE);
      return page.finish();
    } catch (RuntimeException | Error e) {
      cursors.remove(cursor.id);
      try {
        cursor.closeLocked();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      return error(requestId, e);
    } finally {
      cursor.lock.unlock();
    }
  }

  /** Whether an item of {@code size} bytes (plus the end marker) fits; the first item must. */
  private static boolean fits(FrameEncoder page, int size, int items) {
    boolean fits = (long) page.payloadSize() + size + 1 <= Protocol.MAX_PAYLOAD_LENGTH;
    if (!fits && items == 0) {
      throw new IllegalArgumentException(
          "a transaction item of " + size + " bytes cannot be sent within the protocol's frame limit");
    }
    return fits;
  }

  /** Writes {@code bool present}, then the scrub if present. */
  private static void writeScrub(FrameEncoder ok, Optional<ScrubView> scrub) {
    ok.writeBoolean(scrub.isPresent());
    scrub.ifPresent(view -> view.encode(ok));
  }

  private OutgoingFrame error(long requestId, Throwable e) {
    if (e instanceof Refusal refused) {
      return refusal(requestId, refused.type, refused.getMessage());
    }
    if (e instanceof VirtualMachineError fatal) {
      LOG.error("storage '{}' failed fatally serving a request", storage.name(), fatal);
    } else if (!(e instanceof StorageException)) {
      LOG.debug("storage '{}' failed serving a request", storage.name(), e);
    }
    FrameEncoder out = new FrameEncoder(requestId, Protocol.STATUS_ERROR);
    ErrorCodec.encode(out, e, storage.name());
    return out.finish();
  }

  static OutgoingFrame refusal(long requestId, ErrorType type, String message) {
    FrameEncoder out = new FrameEncoder(requestId, Protocol.STATUS_ERROR);
    ErrorCodec.encodeRefusal(out, type, message);
    return out.finish();
  }
}
