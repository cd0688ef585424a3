package org.loomraid.backends.remote.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.loomraid.storage.Tid;

/**
 * The server's transactions that were voted or restored under a client-chosen tid and have not
 * finished, on every connection, by tid: what an {@code OUTCOME} query must wait for (or abort)
 * before the storage's history answers it. Lock-free: each key is updated atomically.
 */
final class OpenTransactions {

  private final ConcurrentHashMap<Tid, List<ServerTransaction>> byTid = new ConcurrentHashMap<>();

  /** Registers a transaction whose tid was chosen by its client. */
  void add(ServerTransaction transaction) {
    byTid.compute(transaction.tid, (tid, present) -> {
      List<ServerTransaction> updated = present == null ? new ArrayList<>(1)
          : new ArrayList<>(present);
      updated.add(transaction);
      return List.copyOf(updated);
    });
  }

  /** Forgets a finished transaction. */
  void remove(ServerTransaction transaction) {
    byTid.computeIfPresent(transaction.tid, (tid, present) -> {
      List<ServerTransaction> updated = new ArrayList<>(present);
      updated.remove(transaction);
      return updated.isEmpty() ? null : List.copyOf(updated);
    });
  }

  /** The unfinished transactions with this tid (usually none or one). */
  List<ServerTransaction> withTid(Tid tid) {
    return byTid.getOrDefault(tid, List.of());
  }
}
