package org.loomraid.backends.remote;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.loomraid.storage.BufferedTransaction.Store;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.Tid;

/**
 * A client's transaction on one connection: first staged (header and stores collected by the
 * connection's reader thread), then voted, committed or aborted by request threads.
 *
 * <p>{@link #lock} is held for every call into the storage transaction and for every change of
 * {@link #storageTransaction}, {@link #voted} and {@link #finished}, so a vote, a commit and an
 * abort (also the abort of a dropped connection) never overlap. It is never held while taking
 * another lock of the network layer.
 */
final class ServerTransaction {

  final long id;
  final ReentrantLock lock = new ReentrantLock();

  // Staging: touched by the connection's reader thread only, before the vote is dispatched.
  Tid tid;
  TransactionMeta meta;
  List<Store> staged = new ArrayList<>();
  long stagedBytes;
  String stagingError;
  boolean dispatched;

  // Set by the reader thread when an ABORT arrives or the connection closes; read under the lock.
  volatile boolean abortRequested;

  // Guarded by lock.
  StorageTransaction storageTransaction;
  boolean voted;
  boolean finished;

  ServerTransaction(long id) {
    this.id = id;
  }

  boolean hasHeader() {
    return meta != null;
  }
}
