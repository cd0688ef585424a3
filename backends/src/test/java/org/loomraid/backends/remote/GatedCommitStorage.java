package org.loomraid.backends.remote;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * A storage whose commits wait at a gate (ignoring interrupts) until the test opens it, like a
 * storage whose commit is slow: the transaction is voted, its commit under way.
 */
public final class GatedCommitStorage extends DelegatingStorage {

  private final CountDownLatch gate = new CountDownLatch(1);
  private final AtomicInteger waiting = new AtomicInteger();

  public GatedCommitStorage(Storage delegate) {
    super(delegate);
  }

  /** Lets every waiting and later commit through. */
  public void open() {
    gate.countDown();
  }

  /** How many commits wait at the gate right now. */
  public int waitingCommits() {
    return waiting.get();
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    return gated(delegate.begin(meta));
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    return gated(delegate.begin(meta, tid));
  }

  private StorageTransaction gated(StorageTransaction txn) {
    return new StorageTransaction() {
      @Override
      public void store(Oid oid, Tid expectedSerial, byte[] data) {
        txn.store(oid, expectedSerial, data);
      }

      @Override
      public void vote() {
        txn.vote();
      }

      @Override
      public Tid commit() {
        waiting.incrementAndGet();
        try {
          awaitGate();
        } finally {
          waiting.decrementAndGet();
        }
        return txn.commit();
      }

      @Override
      public void abort() {
        txn.abort();
      }

      @Override
      public void close() {
        txn.close();
      }
    };
  }

  private void awaitGate() {
    boolean interrupted = false;
    while (true) {
      try {
        gate.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
