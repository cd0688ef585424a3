package org.loomraid.storage;

import java.util.Iterator;

/**
 * Committed transactions in tid order, from {@link Storage#transactions(Tid)}.
 *
 * <p>Close it when done, to release what the storage holds for it (a file handle, a connection).
 * An iterator is used by one thread at a time. It sees at least every transaction committed before
 * it was created; whether it also sees later ones is up to the storage.
 */
public interface TransactionIterator extends Iterator<TransactionRecord>, AutoCloseable {

  /** Releases the iterator's resources; idempotent. */
  @Override
  void close();
}
