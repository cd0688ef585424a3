package org.loomraid.backends.cli;

import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/** Writes for the command line's tests. */
final class Commits {

  private Commits() {}

  /** Commits {@code data} as a new object {@code oid}; returns the tid. */
  static Tid write(Storage storage, Oid oid, byte[] data) {
    try (StorageTransaction txn = storage.begin(TransactionMeta.of("test", "bulk"))) {
      txn.store(oid, Tid.NONE, data);
      txn.vote();
      return txn.commit();
    }
  }
}
