package org.loomraid.raid;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.Tid;

/**
 * One configured backend: its name, opener, current instance, state and statistics.
 *
 * <p>State and reason change only under the {@link Roster}'s lock; they are volatile so that
 * snapshots and log lines can read them without it. The instance is replaced only by startup and
 * recovery, while the backend gets no client traffic.
 */
final class Backend {

  private final String name;
  private final int index;
  private final StorageOpener opener;
  private final String threadName;
  private final BackendStats stats = new BackendStats();
  private final ReadLatency readLatency = new ReadLatency();

  private final AtomicReference<Storage> closedInstance = new AtomicReference<>();
  private volatile Storage storage;
  private volatile StorageLimits limits;
  private volatile int incarnation;
  private volatile BackendState state = BackendState.DEGRADED;
  private volatile String reason = "not opened";
  private volatile Tid lastTransaction = Tid.NONE;
  private volatile long transactionCount = -1;
  private volatile Recovery recovery;
  private volatile Thread closing;

  Backend(String name, int index, StorageOpener opener, String threadName) {
    this.name = name;
    this.index = index;
    this.opener = opener;
    this.threadName = threadName;
  }

  String name() {
    return name;
  }

  /** Returns the position in configuration order; lower wins ties in a vote. */
  int index() {
    return index;
  }

  StorageOpener opener() {
    return opener;
  }

  /** Returns the name of the threads that call this backend. */
  String threadName() {
    return threadName;
  }

  BackendStats stats() {
    return stats;
  }

  /** Returns how fast it has been answering reads (kept by {@link ReadPolicy#LEAST_LATENCY}). */
  ReadLatency readLatency() {
    return readLatency;
  }

  /** Returns the current instance, or null if it has never been opened. */
  Storage storage() {
    return storage;
  }

  /** Installs a freshly opened instance (a new incarnation) and records its limits. */
  void storage(Storage instance) {
    storage = instance;
    limits = instance.limits();
    incarnation++;
  }

  /** Returns how many instances have been installed: 0 before the first open. */
  int incarnation() {
    return incarnation;
  }

  /** Returns the limits of the last instance opened, or null if none was opened yet. */
  StorageLimits limits() {
    return limits;
  }

  /**
   * Claims the right to close {@code instance}: true for the first caller per instance, so that a
   * backend's instance is closed exactly once however many threads degrade or close it.
   */
  boolean claimClose(Storage instance) {
    return closedInstance.getAndSet(instance) != instance;
  }

  BackendState state() {
    return state;
  }

  String reason() {
    return reason;
  }

  /** Sets state and reason; only the roster calls this, under its lock. */
  void state(BackendState newState, String newReason) {
    reason = newReason;
    state = newState;
  }

  Tid lastTransaction() {
    return lastTransaction;
  }

  /** Returns how many transactions it holds as far as the RAID knows, or -1 if unknown. */
  long transactionCount() {
    return transactionCount;
  }

  /** Records its position in the history: last tid and transaction count (-1 if unknown). */
  void position(Tid last, long count) {
    lastTransaction = last;
    transactionCount = count;
  }

  /**
   * Returns how many of the RAID's {@code raidCommitted} transactions it is missing: 0 while it is
   * optimal, -1 when not known.
   */
  long lag(long raidCommitted) {
    if (state == BackendState.OPTIMAL) {
      return 0;
    }
    long count = transactionCount;
    return count < 0 ? -1 : Math.max(0, raidCommitted - count);
  }

  /** Records one more committed transaction. */
  void committed(Tid tid) {
    lastTransaction = tid;
    long count = transactionCount;
    if (count >= 0) {
      transactionCount = count + 1;
    }
  }

  /** Returns the thread closing this backend's last instance, or null. */
  Thread closing() {
    return closing;
  }

  void closing(Thread thread) {
    closing = thread;
  }

  /** Returns the running or last recovery of this backend, if any. */
  Optional<Recovery> recovery() {
    return Optional.ofNullable(recovery);
  }

  void recovery(Recovery current) {
    recovery = current;
  }

  @Override
  public String toString() {
    return "backend '" + name + "' (" + state + ")";
  }
}
