package org.loomraid.backends.remote.client;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.OutgoingFrame;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.backends.remote.wire.ProtocolViolationException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * The client side of a server cursor: reads pages of transaction items, asking for the next page
 * as soon as one arrives so that the network and the consumer overlap. Holds at most two pages.
 */
final class RemoteTransactionIterator implements TransactionIterator {

  private final RemoteStorage storage;
  private final ClientConnection connection;
  private final ArrayDeque<TransactionRecord> ready = new ArrayDeque<>();
  private long cursorId;
  private Tid partialTid;
  private TransactionMeta partialMeta;
  private int partialCount;
  private List<DataRecord> partialRecords;
  private boolean serverDone;
  private boolean closed;
  private CompletableFuture<Frame> nextPage;
  private long nextPageId;

  RemoteTransactionIterator(RemoteStorage storage, ClientConnection connection, Frame opened) {
    this.storage = storage;
    this.connection = connection;
    readPage(opened, true);
  }

  @Override
  public boolean hasNext() {
    while (!closed && ready.isEmpty() && !serverDone) {
      fetch();
    }
    return !ready.isEmpty();
  }

  @Override
  public TransactionRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    ready.clear();
    if (!serverDone) {
      serverDone = true;
      if (nextPage != null) {
        connection.forget(nextPageId);
      }
      try {
        connection.sendOneWay(storage.frame(Op.ITER_CLOSE, out -> out.writeLong(cursorId)));
      } catch (IOException e) {
        // the server closes the cursor with the connection
      }
    }
  }

  private void fetch() {
    storage.checkOpen();
    if (nextPage == null) {
      requestNextPage();
    }
    Frame page;
    try {
      page = connection.await(nextPage, nextPageId, storage.deadline(), "ITER_NEXT");
    } catch (IOException e) {
      serverDone = true;
      throw storage.lost("ITER_NEXT", connection, e);
    } catch (RuntimeException e) {
      serverDone = true;
      connection.sendOneWayQuietly(storage.frame(Op.ITER_CLOSE, out -> out.writeLong(cursorId)));
      throw e;
    } finally {
      nextPage = null;
    }
    readPage(page, false);
  }

  private void requestNextPage() {
    OutgoingFrame request = storage.frame(Op.ITER_NEXT,
        out -> out.writeLong(cursorId).writeInt(storage.pageBytes()));
    nextPageId = request.requestId();
    try {
      nextPage = connection.send(request, true, storage.deadline(), "ITER_NEXT");
    } catch (IOException | RuntimeException e) {
      // Not sent (no slot in time, interrupted, connection broken): release the server's cursor.
      serverDone = true;
      connection.sendOneWayQuietly(storage.frame(Op.ITER_CLOSE, out -> out.writeLong(cursorId)));
      if (e instanceof IOException io) {
        throw storage.lost("ITER_NEXT", connection, io);
      }
      throw (RuntimeException) e;
    }
  }

  /** Reads one page (after the cursor id if it is the first); asks for the next unless done. */
  private void readPage(Frame frame, boolean first) {
    if (frame.code() == Protocol.STATUS_ERROR) {
      serverDone = true; // the server closed the cursor
    }
    storage.result(new RemoteStorage.Exchange(connection, frame), in -> {
      if (first) {
        cursorId = in.readLong();
      }
      readItems(in);
      return null;
    });
    if (!serverDone) {
      requestNextPage();
    }
  }

  private void readItems(PayloadReader in) throws ProtocolViolationException {
    while (true) {
      int item = in.readUnsignedByte();
      switch (item) {
        case Protocol.ITEM_TRANSACTION -> {
          if (partialRecords != null) {
            throw new ProtocolViolationException("a transaction began inside another");
          }
          partialTid = in.readTid();
          partialMeta = in.readMeta();
          partialCount = in.readInt();
          if (partialTid.isNone() || partialCount < 0) {
            throw new ProtocolViolationException("bad transaction item");
          }
          partialRecords = new ArrayList<>(Math.min(partialCount, 1024));
          completeIfWhole();
        }
        case Protocol.ITEM_RECORD -> {
          if (partialRecords == null) {
            throw new ProtocolViolationException("a record outside a transaction");
          }
          partialRecords.add(new DataRecord(in.readOid(), in.readData()));
          completeIfWhole();
        }
        case Protocol.ITEM_END_OF_PAGE -> {
          return;
        }
        case Protocol.ITEM_END -> {
          if (partialRecords != null) {
            throw new ProtocolViolationException("the iteration ended inside a transaction");
          }
          serverDone = true;
          return;
        }
        default -> throw new ProtocolViolationException("unknown page item " + item);
      }
    }
  }

  private void completeIfWhole() throws ProtocolViolationException {
    if (partialRecords.size() == partialCount) {
      try {
        ready.add(new TransactionRecord(partialTid, partialMeta, partialRecords));
      } catch (IllegalArgumentException e) {
        throw new ProtocolViolationException("bad transaction: " + e.getMessage());
      }
      partialRecords = null;
    }
  }

  /** For diagnostics. */
  @Override
  public String toString() {
    return "RemoteTransactionIterator[cursor " + cursorId + " on " + connection + "]";
  }
}
