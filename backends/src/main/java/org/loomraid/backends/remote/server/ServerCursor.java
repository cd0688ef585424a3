package org.loomraid.backends.remote.server;

import java.util.concurrent.locks.ReentrantLock;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;

/**
 * An open {@code transactions(after)} iteration on one connection, handed out in pages. A
 * transaction larger than a page continues on the next page: {@link #current} is the transaction
 * being sent, {@link #headerSent} whether its header went out, {@link #nextRecord} its next record.
 *
 * <p>{@link #lock} is held while a page is filled or the cursor is closed.
 */
final class ServerCursor {

  final long id;
  final TransactionIterator iterator;
  final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  TransactionRecord current;
  boolean headerSent;
  int nextRecord;
  boolean closed;

  ServerCursor(long id, TransactionIterator iterator) {
    this.id = id;
    this.iterator = iterator;
  }

  /** Closes the storage's iterator once; call with the lock held. */
  void closeLocked() {
    if (!closed) {
      closed = true;
      current = null;
      iterator.close();
    }
  }
}
