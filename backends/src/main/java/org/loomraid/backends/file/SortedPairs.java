package org.loomraid.backends.file;

/**
 * A read view of (key, value) pairs of longs in non-decreasing key order, as the index keeps them:
 * one object's revisions (serial, location), or the log's transactions (tid, unit offset).
 * Implementations are safe for lock-free readers: {@link #size()} is read once per operation and
 * every pair below it stays as it is.
 */
interface SortedPairs {

  /** Returns the number of pairs visible now; read it once per operation. */
  int size();

  /** Returns the key of pair {@code i}, which must be below a size this thread read. */
  long key(int i);

  /** Returns the value of pair {@code i}, which must be below a size this thread read. */
  long value(int i);

  /**
   * Returns the index of the newest pair among the first {@code visible} whose key is
   * {@code <= key}, or -1 if there is none.
   */
  int lastAtOrBefore(long key, int visible);

  /** Returns the index of the newest pair whose key is {@code <= key}, or -1. */
  default int lastAtOrBefore(long key) {
    return lastAtOrBefore(key, size());
  }

  /** Returns an estimate of the heap bytes these pairs hold, for reports. */
  long heapBytes();

  /** One pair: the history of an object with a single revision (32 bytes, no arrays). */
  final class Single implements SortedPairs {
    private final long key;
    private final long value;

    Single(long key, long value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public int size() {
      return 1;
    }

    @Override
    public long key(int i) {
      if (i != 0) {
        throw new IndexOutOfBoundsException(i);
      }
      return key;
    }

    @Override
    public long value(int i) {
      if (i != 0) {
        throw new IndexOutOfBoundsException(i);
      }
      return value;
    }

    @Override
    public int lastAtOrBefore(long atOrBefore, int visible) {
      return visible > 0 && key <= atOrBefore ? 0 : -1;
    }

    @Override
    public long heapBytes() {
      return 32;
    }
  }
}
