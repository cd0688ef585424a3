package org.loomraid.jmh;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * One writer's workload: each commit updates {@code records} objects of {@link #RECORD_BYTES} bytes,
 * the way an application rewrites the objects it changed. Every path in {@link CommitPath} runs
 * exactly this, so their timings compare like with like.
 *
 * <p>The writer cycles through {@code sets} disjoint sets of objects, so no object's history grows
 * by more than one revision every {@code sets} commits (a memory storage appends to the history it
 * keeps per object). Its objects are a block of ids reserved up front with
 * {@link Storage#reserveOids(Oid)}, so setting up costs two calls, not one per object. A workload
 * is used by one thread at a time; give each concurrent client its own.
 */
final class CommitWorkload {

  /** Size of each stored record: a small application object. */
  static final int RECORD_BYTES = 256;

  private static final TransactionMeta META = TransactionMeta.of("bench", "commit");

  private final Storage storage;
  private final int records;
  private final Oid[] oids;
  private final Tid[] serials;
  private final byte[] data;
  private int nextSet;

  /**
   * Reserves {@code records * sets} object ids on {@code storage} for this writer.
   *
   * @throws IllegalArgumentException if {@code records} or {@code sets} is not positive
   */
  CommitWorkload(Storage storage, int records, int sets) {
    this(storage, records, objects(records, sets), reserve(storage, objects(records, sets)));
  }

  private CommitWorkload(Storage storage, int records, int objects, long first) {
    this.storage = storage;
    this.records = records;
    this.oids = new Oid[objects];
    for (int i = 0; i < objects; i++) {
      oids[i] = Oid.of(first + i);
    }
    this.serials = new Tid[objects];
    Arrays.fill(serials, Tid.NONE);
    this.data = new byte[RECORD_BYTES];
    new SplittableRandom(first).nextBytes(data);
  }

  /**
   * One workload per client, each on its own objects (so clients never conflict), from a single
   * reservation of object ids.
   *
   * @throws IllegalArgumentException if any count is not positive
   */
  static CommitWorkload[] forClients(Storage storage, int clients, int records, int sets) {
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be at least 1, was " + clients);
    }
    int each = objects(records, sets);
    long first = reserve(storage, Math.multiplyExact(clients, each));
    CommitWorkload[] workloads = new CommitWorkload[clients];
    for (int i = 0; i < clients; i++) {
      workloads[i] = new CommitWorkload(storage, records, each, first + (long) i * each);
    }
    return workloads;
  }

  /**
   * A workload of empty transactions (begin, vote, commit, nothing stored): what a commit costs
   * apart from its data.
   */
  static CommitWorkload empty(Storage storage) {
    return new CommitWorkload(storage, 0, 0, 0);
  }

  private static int objects(int records, int sets) {
    if (records < 1) {
      throw new IllegalArgumentException("records must be at least 1, was " + records);
    }
    if (sets < 1) {
      throw new IllegalArgumentException("sets must be at least 1, was " + sets);
    }
    return Math.multiplyExact(records, sets);
  }

  /** Reserves {@code count} consecutive object ids on {@code storage}; returns the first. */
  private static long reserve(Storage storage, int count) {
    long first = storage.newOid().value();
    storage.reserveOids(Oid.of(first + count - 1));
    return first;
  }

  /** Commits one transaction that updates the next set of objects; returns its tid. */
  Tid commitOnce() {
    int base = nextSet * records;
    Tid tid;
    try (StorageTransaction txn = storage.begin(META)) {
      for (int i = base; i < base + records; i++) {
        txn.store(oids[i], serials[i], data);
      }
      txn.vote();
      tid = txn.commit();
    }
    Arrays.fill(serials, base, base + records, tid);
    nextSet = (base + records >= oids.length) ? 0 : nextSet + 1;
    return tid;
  }

  /** The number of records each commit writes. */
  int records() {
    return records;
  }
}
