package org.loomraid.backends.remote;

import java.nio.charset.StandardCharsets;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/** Small helpers for tests that write. */
public final class Commits {

  private Commits() {}

  /** Commits one store of {@code text} to {@code oid}, expecting {@code serial}; returns the tid. */
  public static Tid write(Storage storage, Oid oid, Tid serial, String text) {
    try (StorageTransaction txn = storage.begin(TransactionMeta.of("test", "write " + text))) {
      txn.store(oid, serial, bytes(text));
      txn.vote();
      return txn.commit();
    }
  }

  public static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  public static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
