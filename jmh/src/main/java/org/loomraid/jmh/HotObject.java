package org.loomraid.jmh;

import java.util.ArrayList;
import java.util.List;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * One object with a long history in a storage of its own: the root object or counter that every
 * transaction of an application rewrites. The history is written with {@code restore} (tids 1, 2,
 * ...), then the object is rewritten with ordinary commits, whose tids the storage chooses.
 */
final class HotObject implements AutoCloseable {

  /** Bytes of data per revision. */
  static final int DATA_BYTES = 64;

  private static final TransactionMeta META = TransactionMeta.of("bench", "hot object");
  private static final Oid OID = Oid.of(1);

  private final HistoryStorage kind;
  private final FileBackends folder;
  private Storage storage;
  private final List<Tid> sample = new ArrayList<>();
  private final byte[] data = new byte[DATA_BYTES];
  private final long heapPerRevision;
  private Tid serial;
  private long commits;

  /** Opens a fresh storage of {@code kind} and writes {@code revisions} revisions of the object. */
  HotObject(HistoryStorage kind, int revisions) {
    this.kind = kind;
    this.folder = new FileBackends(1);
    long before = HeapMeter.usedAfterGc();
    try {
      this.storage = kind.open(folder);
    } catch (RuntimeException | Error e) {
      folder.close();
      throw e;
    }
    try {
      Tid tid = Tid.NONE;
      for (int i = 0; i < revisions; i++) {
        tid = Tid.of(i + 1L);
        stamp(i);
        storage.restore(new TransactionRecord(tid, META, List.of(new DataRecord(OID, data))));
        if (i % Math.max(1, revisions / 64) == 0) {
          sample.add(tid);
        }
      }
      serial = tid;
      storage = kind.settle(storage, folder);
      heapPerRevision = (HeapMeter.usedAfterGc() - before) / Math.max(1, revisions);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** Commits one new revision of the object over the last one. */
  Tid commit() {
    stamp(commits++);
    try (StorageTransaction tx = storage.begin(META)) {
      tx.store(OID, serial, data);
      tx.vote();
      serial = tx.commit();
    }
    return serial;
  }

  /** How many revisions {@link #commit()} added. */
  long commits() {
    return commits;
  }

  /** The storage, for reads. */
  Storage storage() {
    return storage;
  }

  /** The hot object's id. */
  Oid oid() {
    return OID;
  }

  /** Serials spread evenly over the written history, oldest first. */
  List<Tid> sample() {
    return sample;
  }

  /** Heap in use per revision after the history was written (data included for memory). */
  long heapPerRevision() {
    return heapPerRevision;
  }

  /** Which storage this is. */
  HistoryStorage kind() {
    return kind;
  }

  private void stamp(long counter) {
    for (int b = 0; b < 8; b++) {
      data[b] = (byte) (counter >>> (8 * b));
    }
  }

  /** Closes the storage and deletes its files. */
  @Override
  public void close() {
    try {
      if (storage != null) {
        storage.close();
      }
    } finally {
      folder.close();
    }
  }
}
