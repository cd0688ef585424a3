package org.loomraid.backends.file;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageStats;

/**
 * The in-memory index of one log file: for every object its revisions as (serial, location)
 * pairs in serial order, and for every transaction its tid and unit offset in tid order.
 *
 * <p>A location packs a record's file offset (upper 44 bits: files up to 16 TiB) and its data
 * length (lower 20 bits; {@link #LENGTH_UNKNOWN} for data of 1 MiB - 1 or more, whose length the
 * reader then takes from the record header). An object with one revision costs one
 * {@code long[2]} plus its map entry.
 *
 * <p>Threading: one writer at a time (the scanner at open, the storage under its append lock, the
 * packer for a new file); any number of lock-free readers. Per-object arrays are replaced, never
 * mutated, and the tid positions are published through a volatile holder, so a reader sees a
 * consistent prefix. Readers ignore revisions newer than the last tid they read before looking,
 * which hides a transaction that is being added. The counts are one immutable
 * {@link StorageStats}, replaced after each transaction, so a reader never sees a transaction
 * counted in one figure and not yet in another.
 */
final class LogIndex {

  static final int LENGTH_BITS = 20;

  /** The length field value meaning "read the length from the record header". */
  static final int LENGTH_UNKNOWN = (1 << LENGTH_BITS) - 1;

  /** The largest file offset a location can hold. */
  static final long MAX_OFFSET = (1L << (64 - LENGTH_BITS)) - 1;

  private final ConcurrentHashMap<Oid, long[]> revisions = new ConcurrentHashMap<>();
  private volatile TidPositions tids = TidPositions.EMPTY;
  private volatile StorageStats stats = new StorageStats(0, 0, 0);

  /** Packs a record offset and data length into a location. */
  static long location(long offset, int dataLength) {
    if (offset < 0 || offset > MAX_OFFSET) {
      throw new IllegalArgumentException("offset " + offset + " exceeds the 16 TiB file limit");
    }
    return (offset << LENGTH_BITS) | Math.min(dataLength, LENGTH_UNKNOWN);
  }

  static long offsetOf(long location) {
    return location >>> LENGTH_BITS;
  }

  /** Returns the data length, or {@link #LENGTH_UNKNOWN}. */
  static int lengthOf(long location) {
    return (int) (location & LENGTH_UNKNOWN);
  }

  /** Adds a transaction unit that starts at {@code unitOffset}. Single writer. */
  void addTransaction(long unitOffset, UnitLayout layout) {
    long added = 0;
    long newObjects = 0;
    for (int i = 0; i < layout.recordCount(); i++) {
      Oid oid = Oid.of(layout.oid(i));
      long location = location(unitOffset + layout.recordOffset(i), layout.dataLength(i));
      long[] history = revisions.get(oid);
      long[] grown;
      if (history == null) {
        grown = new long[] {layout.tid(), location};
        newObjects++;
      } else {
        grown = Arrays.copyOf(history, history.length + 2);
        grown[history.length] = layout.tid();
        grown[history.length + 1] = location;
      }
      revisions.put(oid, grown);
      added += layout.dataLength(i);
    }
    tids = tids.append(layout.tid(), unitOffset);
    StorageStats before = stats;
    stats = new StorageStats(before.objects() + newObjects, before.transactions() + 1,
        before.bytes() + added);
  }

  /** Returns the object's revisions as (serial, location) pairs in serial order, or null. */
  long[] revisionsOf(Oid oid) {
    return revisions.get(oid);
  }

  /** Returns the serial of the object's newest revision, or 0 if it has none. */
  long currentSerial(Oid oid) {
    long[] history = revisions.get(oid);
    return history == null ? 0 : history[history.length - 2];
  }

  /** Calls {@code action} for every object and its revisions; weakly consistent. */
  void forEachObject(BiConsumer<Oid, long[]> action) {
    for (Map.Entry<Oid, long[]> entry : revisions.entrySet()) {
      action.accept(entry.getKey(), entry.getValue());
    }
  }

  TidPositions tidPositions() {
    return tids;
  }

  /** Returns the objects, transactions and data bytes indexed, all as of one transaction. */
  StorageStats stats() {
    return stats;
  }

  /**
   * Returns the index of the newest pair in {@code history} whose serial is {@code <= tid}, or -1.
   * Indexes count pairs, not array slots.
   */
  static int lastAtOrBefore(long[] history, long tid) {
    int low = 0;
    int high = history.length / 2 - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (history[2 * mid] <= tid) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /**
   * Every transaction's tid and unit offset, in tid order: a prefix of arrays shared with later
   * holders. Only the newest holder may {@link #append}; older holders stay valid for readers.
   */
  static final class TidPositions {
    static final TidPositions EMPTY = new TidPositions(new long[16], new long[16], 0);

    private final long[] tids;
    private final long[] offsets;
    private final int size;

    private TidPositions(long[] tids, long[] offsets, int size) {
      this.tids = tids;
      this.offsets = offsets;
      this.size = size;
    }

    TidPositions append(long tid, long offset) {
      long[] t = tids;
      long[] o = offsets;
      if (size == t.length || this == EMPTY) {
        int capacity = Math.max(16, size + (size >> 1));
        t = Arrays.copyOf(t, capacity);
        o = Arrays.copyOf(o, capacity);
      }
      t[size] = tid;
      o[size] = offset;
      return new TidPositions(t, o, size + 1);
    }

    int size() {
      return size;
    }

    long tid(int i) {
      return tids[i];
    }

    long offset(int i) {
      return offsets[i];
    }

    /** Returns the index of the first transaction with a tid greater than {@code tid}. */
    int firstAfter(long tid) {
      int low = 0;
      int high = size;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (tids[mid] <= tid) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      return low;
    }
  }
}
