package org.loomraid.backends.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.util.NoSuchElementException;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;

/**
 * Reads committed transactions from one log file, in tid order, from a snapshot of its tid
 * positions taken when the iterator was made. Holds one read handle of that file until closed, so
 * it keeps reading the same file even if pack replaces it meanwhile. Re-verifies every unit's
 * checksum. Used by one thread at a time.
 */
final class LogTransactionIterator implements TransactionIterator {

  private static final int WINDOW = 64 * 1024;

  private final LogFile file;
  private final RandomAccessFile handle;
  private final LogIndex.TidPositions positions;
  private final LogReader reader;
  private final int end;
  private int next;
  private boolean closed;

  /**
   * @param file the log file the positions belong to
   * @param handle a read handle borrowed from it; given back by {@link #close()}
   * @param positions the tid positions snapshot
   * @param from the first position to return
   * @param end one past the last position to return
   */
  LogTransactionIterator(LogFile file, RandomAccessFile handle, LogIndex.TidPositions positions,
      int from, int end) throws IOException {
    this.file = file;
    this.handle = handle;
    this.positions = positions;
    this.reader = new LogReader(handle, handle.length(), WINDOW);
    this.next = from;
    this.end = end;
  }

  @Override
  public boolean hasNext() {
    return !closed && next < end;
  }

  @Override
  public TransactionRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    long offset = positions.offset(next);
    try {
      int length = reader.getInt(offset + LogFormat.UNIT_LENGTH_OFFSET);
      if (length < LogFormat.MIN_UNIT_LENGTH || length > LogFormat.MAX_UNIT_LENGTH) {
        throw new CorruptLogException(file.path(), offset, "unit length " + length + " is implausible");
      }
      TransactionRecord record;
      try {
        record = LogFormat.decodeTransaction(reader.copy(offset, length));
      } catch (IllegalArgumentException e) {
        throw new CorruptLogException(file.path(), offset, "transaction unit is damaged: " + e.getMessage());
      }
      if (record.tid().value() != positions.tid(next)) {
        throw new CorruptLogException(file.path(), offset, "unit holds " + record.tid()
            + ", the index expects tid " + positions.tid(next));
      }
      next++;
      return record;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the transaction at byte offset " + offset
          + " of " + file.path(), e);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      file.giveBack(handle);
    }
  }
}
