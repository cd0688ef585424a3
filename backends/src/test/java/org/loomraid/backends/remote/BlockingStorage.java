package org.loomraid.backends.remote;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * A test double: a storage whose {@code load} can be made to hang (ignoring interrupts) until
 * released, like a server that stops answering mid-call. Everything else is delegated.
 */
public final class BlockingStorage implements Storage {

  private final Storage delegate;
  private volatile CountDownLatch gate;
  private final AtomicInteger blocked = new AtomicInteger();

  public BlockingStorage(Storage delegate) {
    this.delegate = delegate;
  }

  /** From now on, every {@code load} waits until {@link #release()}. */
  public void blockLoads() {
    gate = new CountDownLatch(1);
  }

  public void release() {
    CountDownLatch current = gate;
    gate = null;
    if (current != null) {
      current.countDown();
    }
  }

  /** How many loads are waiting right now. */
  public int blockedLoads() {
    return blocked.get();
  }

  @Override
  public Revision load(Oid oid) {
    CountDownLatch current = gate;
    if (current != null) {
      blocked.incrementAndGet();
      try {
        boolean interrupted = false;
        while (true) {
          try {
            current.await();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      } finally {
        blocked.decrementAndGet();
      }
    }
    return delegate.load(oid);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Tid lastTransaction() {
    return delegate.lastTransaction();
  }

  @Override
  public Oid newOid() {
    return delegate.newOid();
  }

  @Override
  public void reserveOids(Oid through) {
    delegate.reserveOids(through);
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    return delegate.loadBefore(oid, tid);
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    return delegate.loadSerial(oid, serial);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    return delegate.begin(meta);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    return delegate.begin(meta, tid);
  }

  @Override
  public TransactionIterator transactions(Tid after) {
    return delegate.transactions(after);
  }

  @Override
  public void restore(TransactionRecord record) {
    delegate.restore(record);
  }

  @Override
  public void pack(Tid before) {
    delegate.pack(before);
  }

  @Override
  public StorageStats stats() {
    return delegate.stats();
  }

  @Override
  public StorageLimits limits() {
    return delegate.limits();
  }

  @Override
  public void close() {
    release();
    delegate.close();
  }
}
