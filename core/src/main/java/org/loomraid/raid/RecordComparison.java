package org.loomraid.raid;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiPredicate;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionRecord;

/**
 * Compares a backend's committed transaction with a source's, for recovery's verification: tid,
 * metadata and data must match.
 *
 * <p>Every record the source has must be in the target with the same data, unless a pack dropped
 * it from the target: the caller says which records a pack to the RAID's horizon drops. The target
 * may hold records the source lacks: {@code pack} drops records of superseded revisions, and a
 * backend that was out of service during a pack still has them; that is not a divergence.
 */
final class RecordComparison {

  private RecordComparison() {}

  /** Returns null if {@code target} matches {@code source}, else the difference, naming the tid. */
  static String difference(TransactionRecord target, TransactionRecord source,
      BiPredicate<Oid, Tid> droppedByPack) {
    if (!target.tid().equals(source.tid())) {
      boolean targetFirst = target.tid().isBefore(source.tid());
      return (targetFirst ? target.tid() : source.tid()) + ": "
          + (targetFirst ? "the target has it, the source does not"
              : "the source has it, the target does not");
    }
    if (!target.meta().equals(source.meta())) {
      return target.tid() + ": metadata differs (" + target.meta() + " vs " + source.meta() + ")";
    }
    Map<Oid, DataRecord> mine = new HashMap<>();
    for (DataRecord record : target.records()) {
      mine.put(record.oid(), record);
    }
    for (DataRecord theirs : source.records()) {
      DataRecord record = mine.get(theirs.oid());
      if (record == null) {
        if (droppedByPack.test(theirs.oid(), target.tid())) {
          continue;
        }
        return target.tid() + ": the target lacks the record of " + theirs.oid();
      }
      if (!record.equals(theirs)) {
        return target.tid() + ": the data of " + theirs.oid() + " differs";
      }
    }
    return null;
  }
}
