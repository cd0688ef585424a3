package org.loomraid.raid;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;

/**
 * The RAID's {@link TransactionIterator}: iterates one optimal backend up to the RAID's last
 * committed transaction at creation (a commit still being fanned out is not shown). Every call into
 * the backend, opening and each step alike, runs under the call timeout like any other slot: the
 * iterator fetches batches of records, each batch one bounded call. If the backend fails or does not
 * answer midway, it is degraded (if the instance the iteration was opened on is still its current
 * one) and the iteration continues on another optimal backend after the last transaction it
 * returned, so the caller sees one unbroken sequence. Used by one thread at a time.
 */
final class RaidTransactionIterator implements TransactionIterator {

  /** The most records one step fetches. */
  static final int BATCH_RECORDS = 256;

  /** The most object data one step fetches (a batch ends after the record that reaches it). */
  static final long BATCH_BYTES = 4L * 1024 * 1024;

  private final Engine engine;
  private final Tid limit;
  private final ArrayDeque<TransactionRecord> buffered = new ArrayDeque<>();
  private Tid position;
  private Backend backend;
  private Storage instance;
  private TransactionIterator current;
  private boolean ended;
  private boolean closed;

  /** One step's records, and whether the backend's iteration ended with them. */
  private record Batch(List<TransactionRecord> records, boolean ended) {}

  RaidTransactionIterator(Engine engine, Tid after) {
    this.engine = engine;
    this.limit = engine.gate().lastCommitted();
    this.position = after;
    open();
  }

  @Override
  public boolean hasNext() {
    while (!closed && buffered.isEmpty() && !ended) {
      fetch();
    }
    return !closed && !buffered.isEmpty();
  }

  @Override
  public TransactionRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    TransactionRecord record = buffered.poll();
    position = record.tid();
    return record;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      buffered.clear();
      closeCurrent();
    }
  }

  private void open() {
    Tid after = position;
    Round.Slot<TransactionIterator> slot = engine.reads().serve("transactions", (storage, s) -> {
      TransactionIterator iterator = storage.transactions(after);
      s.attach(iterator);
      return iterator;
    });
    backend = slot.backend();
    instance = slot.instance();
    current = slot.value();
  }

  private void fetch() {
    TransactionIterator source = current;
    Round.Slot<Batch> slot = engine.reads().serveOn("transactions (iterating)", backend,
        instance, (storage, s) -> step(source));
    if (slot == null) {
      closeCurrent();
      engine.lifecycle().checkOpen();
      open();
      return;
    }
    Batch batch = slot.value();
    buffered.addAll(batch.records());
    ended = batch.ended();
  }

  private Batch step(TransactionIterator source) {
    List<TransactionRecord> records = new ArrayList<>();
    long bytes = 0;
    while (records.size() < BATCH_RECORDS && bytes < BATCH_BYTES) {
      if (!source.hasNext()) {
        return new Batch(records, true);
      }
      TransactionRecord record = source.next();
      if (record.tid().isAfter(limit)) {
        return new Batch(records, true);
      }
      records.add(record);
      bytes += record.dataLength();
    }
    return new Batch(records, false);
  }

  /**
   * Closes the backend's iterator: in the background unless its reads never block, as a hung one
   * must not hold the caller.
   */
  private void closeCurrent() {
    TransactionIterator open = current;
    current = null;
    if (open == null) {
      return;
    }
    if (instance.readsNeverBlock()) {
      Closing.quietly(open, backend, "iteration");
    } else {
      engine.supervisor().closeInBackground(backend, null, open);
    }
  }
}
