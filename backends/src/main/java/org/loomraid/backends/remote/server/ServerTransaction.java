package org.loomraid.backends.remote.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.loomraid.storage.BufferedTransaction.Store;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * A client's transaction on one connection: first staged (header and stores collected by the
 * connection's reader thread), then voted, committed or aborted by request threads; a restore
 * goes from staged to finished in one step.
 *
 * <p>Its fate is decided once. When the reader receives its {@code COMMIT} (or the final piece of
 * a {@code RESTORE}) it sets {@link #commitRequested}: from then on nothing aborts it but the
 * storage, and an {@code ABORT}, an {@code OUTCOME} query or the end of the connection waits for
 * {@link #outcome} instead of racing the commit. Before that, any of them may set
 * {@link #abortRequested} and abort it; a {@code COMMIT} that arrives afterwards is refused.
 *
 * <p>{@link #lock} is held for every call into the storage transaction and for every change of
 * {@link #storageTransaction}, {@link #voted} and {@link #finished}, so a vote, a commit and an
 * abort never overlap. It is never held while taking another lock of the network layer; the
 * storage's own locks are taken inside it.
 */
final class ServerTransaction {

  /** Told once when a transaction has finished, with its lock held. */
  @FunctionalInterface
  interface FinishListener {
    void finished(ServerTransaction transaction, boolean wasVoted);
  }

  final long id;
  final ReentrantLock lock = new ReentrantLock();
  private final FinishListener onFinish;

  // Staging: touched by the connection's reader thread only, before the vote is dispatched.
  Tid tid = Tid.NONE;
  TransactionMeta meta;
  List<Store> staged = new ArrayList<>();
  long stagedBytes;
  String stagingError;
  boolean dispatched;

  /** Set once the transaction may no longer commit; read under the lock before each phase. */
  volatile boolean abortRequested;

  /** Set by the reader when the request that commits it (COMMIT, RESTORE) has been received. */
  volatile boolean commitRequested;

  // Guarded by lock.
  StorageTransaction storageTransaction;
  boolean voted;
  boolean finished;

  /**
   * Completed once, when the transaction has finished: with the tid it committed under, with
   * {@link Tid#NONE} if it did not commit, or exceptionally with the storage's error if its commit
   * failed (whether it committed is then the storage's to tell).
   */
  final CompletableFuture<Tid> outcome = new CompletableFuture<>();

  ServerTransaction(long id, FinishListener onFinish) {
    this.id = id;
    this.onFinish = onFinish;
  }

  /** Aborts the transaction unless it has finished; from any thread. */
  void abort() {
    lock.lock();
    try {
      abortLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Aborts the storage transaction if there is one and marks this finished; call with the lock. */
  void abortLocked() {
    try {
      if (!finished && storageTransaction != null) {
        storageTransaction.close();
      }
    } finally {
      finishLocked(Tid.NONE, null);
    }
  }

  /**
   * Marks the transaction finished (once) and publishes its outcome: {@code committed} is the tid
   * it committed under or {@link Tid#NONE}; a non-null {@code failure} is the storage's error from
   * a commit. Call with the lock held.
   */
  void finishLocked(Tid committed, Throwable failure) {
    if (finished) {
      return;
    }
    finished = true;
    staged = List.of();
    onFinish.finished(this, voted);
    if (failure != null) {
      outcome.completeExceptionally(failure);
    } else {
      outcome.complete(committed);
    }
  }

  boolean hasHeader() {
    return meta != null;
  }

  @Override
  public String toString() {
    return "transaction " + id + (tid.isNone() ? "" : " (" + tid + ")");
  }
}
