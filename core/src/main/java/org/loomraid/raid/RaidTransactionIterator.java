package org.loomraid.raid;

import java.util.NoSuchElementException;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;

/**
 * The RAID's {@link TransactionIterator}: iterates one optimal backend up to the RAID's last
 * committed transaction at creation (a commit still being fanned out is not shown), and if that
 * backend fails midway, degrades it and continues on another optimal backend after the last
 * transaction it returned, so the caller sees one unbroken sequence. Opening (and reopening) is
 * bounded by the call timeout; elements are then fetched on the caller's thread. Used by one thread
 * at a time.
 */
final class RaidTransactionIterator implements TransactionIterator {

  private final RaidStorage raid;
  private final Tid limit;
  private Tid position;
  private Backend backend;
  private TransactionIterator current;
  private TransactionRecord pending;
  private boolean closed;

  RaidTransactionIterator(RaidStorage raid, Tid after) {
    this.raid = raid;
    this.limit = raid.lastCommitted();
    this.position = after;
    open();
  }

  @Override
  public boolean hasNext() {
    while (!closed && pending == null) {
      try {
        if (!current.hasNext()) {
          return false;
        }
        TransactionRecord record = current.next();
        if (record.tid().isAfter(limit)) {
          return false;
        }
        pending = record;
      } catch (StorageException | NoSuchElementException answer) {
        throw answer;
      } catch (RuntimeException | Error e) {
        failOver(e);
      }
    }
    return pending != null;
  }

  @Override
  public TransactionRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    TransactionRecord record = pending;
    pending = null;
    position = record.tid();
    return record;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      pending = null;
      Closing.quietly(current, backend, "iteration");
    }
  }

  private void open() {
    Tid after = position;
    Round.Slot<TransactionIterator> slot = raid.reads().serve("transactions", (storage, s) -> {
      TransactionIterator iterator = storage.transactions(after);
      s.attach(iterator);
      return iterator;
    });
    backend = slot.backend();
    current = slot.value();
  }

  private void failOver(Throwable failure) {
    if (failure instanceof VirtualMachineError error) {
      throw error;
    }
    Closing.quietly(current, backend, "a failed iteration");
    raid.supervisor().degrade(backend,
        "error in transactions (iterating): " + Durations.describe(failure));
    raid.checkOpen();
    open();
  }
}
