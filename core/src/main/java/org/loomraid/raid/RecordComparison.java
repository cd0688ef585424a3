package org.loomraid.raid;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionRecord;

/**
 * Compares one backend's committed transaction with another's: tid, metadata and data must match.
 * Used by recovery's verification (a target against its source) and by scrub (a backend against
 * the majority).
 *
 * <p>A record one side lacks is a difference unless a pack explains it: {@code pack} drops the
 * records of superseded revisions, so a backend that was out of service during a pack still has
 * records the others dropped, and one packed further lacks records the others still have. The
 * caller says, through two predicates, which records a pack dropped from either side: recovery
 * asks whether a pack to the RAID's horizon drops it from the target, or whether the source holds a
 * later revision of the object (so its pack may have dropped this one). A record of an object that
 * no later revision supersedes is never explained by a pack: an extra record of that kind is
 * always a difference.
 */
final class RecordComparison {

  private RecordComparison() {}

  /** Never explained: a strict comparison. */
  static final BiPredicate<Oid, Tid> NEVER = (oid, tid) -> false;

  /**
   * One difference between two records.
   *
   * @param tid the transaction where it is (the earlier one, if the tids differ)
   * @param oid the object whose record differs, or null if the transaction as a whole does (its
   *     tid or metadata)
   * @param detail what differs, in words
   */
  record Difference(Tid tid, Oid oid, String detail) {
    /** The difference as {@code "<tid>: <detail>"}. */
    String describe() {
      return tid + ": " + detail;
    }
  }

  /**
   * Returns null if {@code target} matches {@code source}, else the difference, naming the tid: as
   * {@link #compare}, with the target called "the target" and the source "the source".
   */
  static String difference(TransactionRecord target, TransactionRecord source,
      BiPredicate<Oid, Tid> droppedFromTarget, BiPredicate<Oid, Tid> droppedFromSource) {
    Difference difference = compare(target, source, "the target", "the source",
        droppedFromTarget, droppedFromSource);
    return difference == null ? null : difference.describe();
  }

  /**
   * Returns null if {@code mine} matches {@code theirs}, else the first difference: the tid, then
   * the metadata, then each object in the order {@code theirs} holds them, then the objects only
   * {@code mine} holds, in its order.
   *
   * @param mineName how the detail names {@code mine} ("the target", "it")
   * @param theirsName how the detail names {@code theirs}
   * @param droppedFromMine whether a pack explains that {@code mine} lacks the record of that oid
   *     written by that tid
   * @param droppedFromTheirs whether a pack explains that {@code theirs} lacks it
   */
  static Difference compare(TransactionRecord mine, TransactionRecord theirs, String mineName,
      String theirsName, BiPredicate<Oid, Tid> droppedFromMine,
      BiPredicate<Oid, Tid> droppedFromTheirs) {
    if (!mine.tid().equals(theirs.tid())) {
      boolean mineFirst = mine.tid().isBefore(theirs.tid());
      return new Difference(mineFirst ? mine.tid() : theirs.tid(), null,
          mineFirst ? mineName + " has it, " + theirsName + " does not"
              : theirsName + " has it, " + mineName + " does not");
    }
    Tid tid = mine.tid();
    if (!mine.meta().equals(theirs.meta())) {
      return new Difference(tid, null,
          "metadata differs (" + mine.meta() + " vs " + theirs.meta() + ")");
    }
    Map<Oid, DataRecord> onlyMine = byOid(mine.records());
    for (DataRecord record : theirs.records()) {
      DataRecord own = onlyMine.remove(record.oid());
      if (own == null) {
        if (!droppedFromMine.test(record.oid(), tid)) {
          return new Difference(tid, record.oid(),
              mineName + " lacks the record of " + record.oid());
        }
      } else if (!own.equals(record)) {
        return new Difference(tid, record.oid(), "the data of " + record.oid() + " differs");
      }
    }
    for (DataRecord extra : onlyMine.values()) {
      if (!droppedFromTheirs.test(extra.oid(), tid)) {
        return new Difference(tid, extra.oid(), mineName + " holds a record of " + extra.oid()
            + " that " + theirsName + " does not");
      }
    }
    return null;
  }

  /**
   * Returns whether two records of the same tid hold the same metadata and the same records, in any
   * order, ignoring the records of {@code ignored} oids.
   */
  static boolean sameContent(TransactionRecord a, TransactionRecord b, List<Oid> ignored) {
    if (!a.tid().equals(b.tid()) || !a.meta().equals(b.meta())) {
      return false;
    }
    Map<Oid, DataRecord> left = byOid(a.records());
    Map<Oid, DataRecord> right = byOid(b.records());
    for (Oid oid : ignored) {
      left.remove(oid);
      right.remove(oid);
    }
    return left.equals(right);
  }

  /**
   * Returns the oids some of {@code records} hold and others do not, where every record that holds
   * one holds the same data: differences in which records a transaction kept that a pack may
   * explain. Every record must have the same tid.
   */
  static List<Oid> unevenlyKept(List<TransactionRecord> records) {
    Map<Oid, DataRecord> first = new LinkedHashMap<>();
    Map<Oid, Integer> holders = new LinkedHashMap<>();
    Map<Oid, Boolean> sameData = new LinkedHashMap<>();
    for (TransactionRecord record : records) {
      for (DataRecord data : record.records()) {
        DataRecord seen = first.putIfAbsent(data.oid(), data);
        holders.merge(data.oid(), 1, Integer::sum);
        sameData.merge(data.oid(), seen == null || seen.equals(data), Boolean::logicalAnd);
      }
    }
    List<Oid> uneven = new ArrayList<>();
    for (Map.Entry<Oid, Integer> entry : holders.entrySet()) {
      if (entry.getValue() < records.size() && sameData.get(entry.getKey())) {
        uneven.add(entry.getKey());
      }
    }
    return uneven;
  }

  private static Map<Oid, DataRecord> byOid(List<DataRecord> records) {
    Map<Oid, DataRecord> map = new LinkedHashMap<>();
    for (DataRecord record : records) {
      map.put(record.oid(), record);
    }
    return map;
  }
}
