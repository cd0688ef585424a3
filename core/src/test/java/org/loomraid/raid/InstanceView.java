package org.loomraid.raid;

import java.util.concurrent.atomic.AtomicBoolean;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;

/**
 * One opened instance of a backend, as a real storage's opener returns a fresh one on every call:
 * after its {@code close()} every call on it, and on the iterators it made, fails with
 * {@link StorageClosedException}, while the data below it stays (the next instance sees it).
 */
final class InstanceView extends ForwardingStorage {

  private final AtomicBoolean closed = new AtomicBoolean();

  InstanceView(Storage delegate) {
    super(delegate);
  }

  /** Returns whether this instance was closed. */
  boolean isClosed() {
    return closed.get();
  }

  @Override
  void onCall() {
    if (closed.get()) {
      throw new StorageClosedException(name());
    }
  }

  @Override
  public TransactionIterator transactions(Tid after) {
    TransactionIterator iterator = super.transactions(after);
    return new TransactionIterator() {
      @Override
      public boolean hasNext() {
        onCall();
        return iterator.hasNext();
      }

      @Override
      public TransactionRecord next() {
        onCall();
        return iterator.next();
      }

      @Override
      public void close() {
        iterator.close();
      }
    };
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
