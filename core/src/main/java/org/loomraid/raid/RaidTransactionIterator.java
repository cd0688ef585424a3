package org.loomraid.raid;

import java.util.NoSuchElementException;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;

/**
 * The RAID's {@link TransactionIterator}: iterates one optimal backend, and if that backend fails
 * midway, degrades it and continues on another optimal backend after the last transaction it
 * returned, so the caller sees one unbroken sequence. Opening (and reopening) is bounded by the
 * call timeout; elements are fetched on the caller's thread. Used by one thread at a time.
 */
final class RaidTransactionIterator implements TransactionIterator {

  private final RaidStorage raid;
  private Tid position;
  private Backend backend;
  private TransactionIterator current;
  private boolean closed;

  RaidTransactionIterator(RaidStorage raid, Tid after) {
    this.raid = raid;
    this.position = after;
    open();
  }

  @Override
  public boolean hasNext() {
    while (!closed) {
      try {
        return current.hasNext();
      } catch (StorageException answer) {
        throw answer;
      } catch (RuntimeException | Error e) {
        failOver(e, "hasNext");
      }
    }
    return false;
  }

  @Override
  public TransactionRecord next() {
    while (true) {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      try {
        TransactionRecord record = current.next();
        position = record.tid();
        return record;
      } catch (StorageException | NoSuchElementException answer) {
        throw answer;
      } catch (RuntimeException | Error e) {
        failOver(e, "next");
      }
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Closing.quietly(current, backend, "iteration");
    }
  }

  private void open() {
    Tid after = position;
    Round.Slot<TransactionIterator> slot = raid.serve("transactions", (storage, s) -> {
      TransactionIterator iterator = storage.transactions(after);
      s.attach(iterator);
      return iterator;
    });
    backend = slot.backend();
    current = slot.value();
  }

  private void failOver(Throwable failure, String step) {
    if (failure instanceof VirtualMachineError error) {
      throw error;
    }
    Closing.quietly(current, backend, "a failed iteration");
    raid.supervisor().degrade(backend,
        "error in transactions (" + step + "): " + Durations.describe(failure));
    raid.checkOpen();
    open();
  }
}
