package org.loomraid.backends.remote;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;

/**
 * A test double: a storage whose {@code load} can be made to hang (ignoring interrupts) until
 * released, like a server that stops answering mid-call. Everything else is delegated; closing
 * it releases the loads.
 */
public final class BlockingStorage extends DelegatingStorage {

  private volatile CountDownLatch gate;
  private final AtomicInteger blocked = new AtomicInteger();

  public BlockingStorage(Storage delegate) {
    super(delegate);
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
  public void close() {
    release();
    super.close();
  }
}
