package org.loomraid.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * Wraps a storage and adds latency to every call, simulating a storage across a network.
 *
 * <p>Every {@link Storage} call (except {@link #name()} and {@link #close()}) and every phase of a
 * transaction ({@code vote}, {@code commit}, {@code abort}) waits before it reaches the wrapped
 * storage: a fixed time, or a uniformly random time between a minimum and a maximum, drawn per
 * call. {@code begin} and {@code store} do not wait: a network client buffers them and sends them
 * with the vote, one round trip per phase. The wait parks the thread (no spinning) and throws
 * {@link StorageInterruptedException} if the thread is interrupted. Thread-safe.
 */
public final class LatencyStorage implements Storage {

  private final Storage delegate;
  private final long minNanos;
  private final long maxNanos;

  private LatencyStorage(Storage delegate, Duration min, Duration max) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
  }

  /**
   * Wraps {@code delegate} so that every call waits {@code latency}.
   *
   * @throws IllegalArgumentException if {@code latency} is negative
   * @throws NullPointerException if an argument is null
   */
  public static LatencyStorage fixed(Storage delegate, Duration latency) {
    requireNotNegative(latency, "latency");
    return new LatencyStorage(delegate, latency, latency);
  }

  /**
   * Wraps {@code delegate} so that every call waits a uniformly random time in {@code [min, max]}.
   *
   * @throws IllegalArgumentException if {@code min} is negative or greater than {@code max}
   * @throws NullPointerException if an argument is null
   */
  public static LatencyStorage uniform(Storage delegate, Duration min, Duration max) {
    requireNotNegative(min, "min");
    requireNotNegative(max, "max");
    if (min.compareTo(max) > 0) {
      throw new IllegalArgumentException("min " + min + " must not be greater than max " + max);
    }
    return new LatencyStorage(delegate, min, max);
  }

  /** Returns the wrapped storage. */
  public Storage delegate() {
    return delegate;
  }

  private static void requireNotNegative(Duration value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, was " + value);
    }
  }

  /** Waits this call's latency. */
  private void waitLatency() {
    long nanos = minNanos == maxNanos ? minNanos
        : ThreadLocalRandom.current().nextLong(minNanos, maxNanos + 1);
    if (nanos == 0) {
      return;
    }
    long deadline = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(this, left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new StorageInterruptedException("interrupted during the latency of storage '"
            + delegate.name() + "'", new InterruptedException());
      }
    }
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Tid lastTransaction() {
    waitLatency();
    return delegate.lastTransaction();
  }

  @Override
  public Oid newOid() {
    waitLatency();
    return delegate.newOid();
  }

  @Override
  public void reserveOids(Oid through) {
    waitLatency();
    delegate.reserveOids(through);
  }

  @Override
  public Revision load(Oid oid) {
    waitLatency();
    return delegate.load(oid);
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    waitLatency();
    return delegate.loadBefore(oid, tid);
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    waitLatency();
    return delegate.loadSerial(oid, serial);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    return new LatencyTransaction(delegate.begin(meta));
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    return new LatencyTransaction(delegate.begin(meta, tid));
  }

  @Override
  public TransactionIterator transactions(Tid after) {
    waitLatency();
    return delegate.transactions(after);
  }

  @Override
  public void restore(TransactionRecord record) {
    waitLatency();
    delegate.restore(record);
  }

  @Override
  public void pack(Tid before) {
    waitLatency();
    delegate.pack(before);
  }

  @Override
  public StorageStats stats() {
    waitLatency();
    return delegate.stats();
  }

  @Override
  public StorageLimits limits() {
    return delegate.limits();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "LatencyStorage[" + delegate + ", " + Duration.ofNanos(minNanos)
        + (minNanos == maxNanos ? "" : ".." + Duration.ofNanos(maxNanos)) + "]";
  }

  /** A transaction whose vote, commit and abort wait the latency. */
  private final class LatencyTransaction implements StorageTransaction {
    private final StorageTransaction tx;

    LatencyTransaction(StorageTransaction tx) {
      this.tx = tx;
    }

    @Override
    public void store(Oid oid, Tid expectedSerial, byte[] data) {
      tx.store(oid, expectedSerial, data);
    }

    @Override
    public void vote() {
      waitOrAbort();
      tx.vote();
    }

    @Override
    public Tid commit() {
      waitOrAbort();
      return tx.commit();
    }

    @Override
    public void abort() {
      waitLatency();
      tx.abort();
    }

    @Override
    public void close() {
      tx.close();
    }

    /** Waits the latency; if interrupted, aborts the transaction as a failed phase must. */
    private void waitOrAbort() {
      try {
        waitLatency();
      } catch (StorageInterruptedException e) {
        try {
          tx.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }
}
