package org.loomraid.backends.file;

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
 * reader then takes from the record header).
 *
 * <p><b>Costs.</b> Adding a transaction costs O(records) whatever the objects' histories: an
 * object with one revision is a {@link SortedPairs.Single} (32 bytes); its second revision turns
 * it into an {@link AppendOnlyPairs}, which appends without copying earlier pairs (16 bytes per
 * revision). Finding the current revision is O(1), a revision by serial or before a tid
 * O(log revisions). The transaction list is an {@link AppendOnlyPairs} too.
 *
 * <p><b>Threading.</b> One writer at a time (the scanner at open, the storage under its append
 * lock, the packer for a new file); any number of lock-free readers. A history is only ever
 * appended to, or replaced by one holding the same pairs and more, so a reader sees a consistent
 * prefix. Readers ignore revisions newer than the last tid they read before looking, which hides
 * a transaction that is being added. The counts are one immutable {@link StorageStats}, replaced
 * after each transaction, so a reader never sees a transaction counted in one figure and not yet
 * in another.
 */
final class LogIndex {

  static final int LENGTH_BITS = 20;

  /** The length field value meaning "read the length from the record header". */
  static final int LENGTH_UNKNOWN = (1 << LENGTH_BITS) - 1;

  /** The largest file offset a location can hold. */
  static final long MAX_OFFSET = (1L << (64 - LENGTH_BITS)) - 1;

  private final ConcurrentHashMap<Oid, SortedPairs> revisions = new ConcurrentHashMap<>();
  private final AppendOnlyPairs tids = new AppendOnlyPairs(16);
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
    long tid = layout.tid();
    for (int i = 0; i < layout.recordCount(); i++) {
      Oid oid = Oid.of(layout.oid(i));
      long location = location(unitOffset + layout.recordOffset(i), layout.dataLength(i));
      SortedPairs history = revisions.get(oid);
      if (history == null) {
        revisions.put(oid, new SortedPairs.Single(tid, location));
        newObjects++;
      } else if (history instanceof AppendOnlyPairs many) {
        many.append(tid, location);
      } else {
        AppendOnlyPairs many = new AppendOnlyPairs(history.key(0), history.value(0), 2);
        many.append(tid, location);
        revisions.put(oid, many);
      }
      added += layout.dataLength(i);
    }
    tids.append(tid, unitOffset);
    StorageStats before = stats;
    stats = new StorageStats(before.objects() + newObjects, before.transactions() + 1,
        before.bytes() + added);
  }

  /** Returns the object's revisions as (serial, location) pairs in serial order, or null. */
  SortedPairs revisionsOf(Oid oid) {
    return revisions.get(oid);
  }

  /**
   * Returns the serial of the object's newest revision with a serial {@code <= asOf}, or 0 if it
   * has none: what a reader whose snapshot is {@code asOf} sees as the object's current serial.
   */
  long serialAsOf(Oid oid, long asOf) {
    SortedPairs history = revisions.get(oid);
    if (history == null) {
      return 0;
    }
    int at = history.lastAtOrBefore(asOf);
    return at < 0 ? 0 : history.key(at);
  }

  /** Calls {@code action} for every object and its revisions; weakly consistent. */
  void forEachObject(BiConsumer<Oid, SortedPairs> action) {
    for (Map.Entry<Oid, SortedPairs> entry : revisions.entrySet()) {
      action.accept(entry.getKey(), entry.getValue());
    }
  }

  /** Returns the transactions indexed so far, as a snapshot that later additions do not change. */
  TidPositions tidPositions() {
    return new TidPositions(tids, tids.size());
  }

  /** Returns the objects, transactions and data bytes indexed, all as of one transaction. */
  StorageStats stats() {
    return stats;
  }

  /**
   * Every transaction's tid and unit offset, in tid order, as of the moment the snapshot was
   * taken: the first {@code size} pairs of the index's transaction list, which never change.
   */
  static final class TidPositions {
    private final AppendOnlyPairs pairs;
    private final int size;

    private TidPositions(AppendOnlyPairs pairs, int size) {
      this.pairs = pairs;
      this.size = size;
    }

    int size() {
      return size;
    }

    long tid(int i) {
      return pairs.key(i);
    }

    long offset(int i) {
      return pairs.value(i);
    }

    /** Returns the index of the first transaction with a tid greater than {@code tid}. */
    int firstAfter(long tid) {
      return pairs.lastAtOrBefore(tid, size) + 1;
    }
  }
}
